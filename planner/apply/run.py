"""Apply a whole plan: lock, refuse if stale, run services in dependency order, journal all.

Independent services run in parallel (bounded); a service starts only after everything it
depends on finished its rollout; when one fails, its dependents are skipped and the others
finish. Every service has its own lock and journal; one run id ties them together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

from planner import __version__
from planner.apply.executor import ApplyContext, ServiceExecutor
from planner.aws.clients import AwsContext
from planner.aws.reads import LiveReader, ServiceRef, TaskDefinitionStore
from planner.errors import EcsplanError
from planner.plan.codec import plan_to_data, service_to_data, to_data
from planner.plan.fingerprint import NO_SECRETS, fingerprint_of
from planner.plan.inputs import LiveService
from planner.plan.model import Plan, ServicePlan
from planner.plan.outcome import ServiceResult
from planner.plan.secrets import Secrets
from planner.plan.stale import stale_reasons
from planner.state.backend import StateBackend
from planner.state.cache import task_definition_cache
from planner.state.journal import Journal, new_run_id
from planner.state.locking import who_am_i
from planner.state.model import LockInfo, utc_now
from planner.state.run_record import RunRecord

StartHook = Callable[[ServicePlan], None]
FinishHook = Callable[[ServicePlan, ServiceResult], None]


def state_key(sp: ServicePlan) -> str:
    """The state (lock + journal) key of a service (planner.plan.model.state_key_of)."""
    return sp.state_key


def check_stale(
    plan: Plan,
    aws: AwsContext,
    cache: TaskDefinitionStore | None = None,
    sensitive: frozenset[str] = frozenset(),
    secrets: Secrets = NO_SECRETS,
) -> None:
    """Re-read what every service's plan compared; refuse the plan if anything moved.

    The same documents are read as at plan time (service, its task definition, scalable
    target, and the scaling policies and alarms where the plan read them), batched as the
    planner batches them; ``cache`` spares DescribeTaskDefinition for revisions already seen.
    Every moved field of every service is named; the first service's go on the first line.
    Each service is read as its own identity (issue 21), batched per identity."""
    if cache is not None:  # the plan holds the desired task definitions (secrets restored)
        cache = cache.bind([to_data(plan)], sensitive)
    reader = LiveReader(aws)
    reads: dict[str, _StaleReads] = {}
    for principal in dict.fromkeys(sp.principal for sp in plan.services):
        part = replace(plan, services=tuple(s for s in plan.services if s.principal == principal))
        per_identity = _StaleReads.of(part, reader.for_principal(principal), cache)
        reads.update((sp.key, per_identity) for sp in part.services)
    problems = []
    for sp in plan.services:
        was = sp.fingerprint.live
        now = fingerprint_of(
            reads[sp.key].live(sp),
            unmanaged=was.unmanaged if was is not None else (),
            alarm_names=was.alarms if was is not None else (),
            secrets=secrets,
        )
        reasons = stale_reasons(sp, now)
        if reasons:
            problems.append(f"{sp.key}: {'; '.join(reasons)}")
    if problems:
        raise EcsplanError(
            f"plan is stale: {problems[0]} since the plan was made; run plan again",
            "\n".join(problems[1:]) or None,
        )


@dataclass(frozen=True)
class _StaleReads:
    """What check_stale reads, batched across the plan's services."""

    reader: LiveReader
    refs: Mapping[str, ServiceRef]
    services: Mapping[ServiceRef, Any]
    targets: Mapping[ServiceRef, Any]
    tds: Mapping[str, Any]
    alarms: Mapping[str, Any]

    @classmethod
    def of(cls, plan: Plan, reader: LiveReader, cache: TaskDefinitionStore | None) -> _StaleReads:
        refs = {
            sp.key: ServiceRef(sp.region, sp.cluster, sp.service, sp.principal)
            for sp in plan.services
        }
        services = reader.services(refs.values())
        wanted = []
        for sp in plan.services:
            svc = services.get(refs[sp.key])
            if svc and svc.get("status") != "INACTIVE" and svc.get("taskDefinition"):
                wanted.append((sp.region, str(svc["taskDefinition"])))
        alarm_names: dict[str, list[str]] = {}
        for sp in plan.services:
            if sp.fingerprint.live is not None:
                alarm_names.setdefault(sp.region, []).extend(sp.fingerprint.live.alarms)
        alarms: dict[str, Any] = {}
        for region, names in alarm_names.items():
            if names:
                alarms.update(reader.alarms(region, names))
        return cls(
            reader,
            refs,
            services,
            reader.scalable_targets(refs.values()),
            reader.task_definitions(wanted, cache=cache),
            alarms,
        )

    def live(self, sp: ServicePlan) -> LiveService:
        """The service as it is now, read as the plan read it."""
        ref, was = self.refs[sp.key], sp.fingerprint.live
        latest = None
        if sp.fingerprint.latest_revision:
            family = sp.fingerprint.latest_revision.rsplit("/", 1)[-1].rsplit(":", 1)[0]
            latest = self.reader.latest_task_definition(sp.region, family)
        svc, target = self.services.get(ref), self.targets.get(ref)
        policies = None
        if was is not None and was.scaling_policies and target is not None:
            policies = tuple(self.reader.scaling_policies(sp.region, ref.resource_id))
        names = was.alarms if was is not None else ()
        return LiveService(
            service=svc,
            task_definition=self.tds.get(str((svc or {}).get("taskDefinition"))),
            scalable_target=target,
            latest_revision=latest,
            scaling_policies=policies,
            alarms=tuple(self.alarms[n] for n in names if n in self.alarms) if names else None,
        )


@dataclass
class RunRequest:
    """One apply invocation over one or many services.

    A new run records its whole plan in the state before its first write (so a resume knows
    every service of it); ``run_id`` continues a recorded run instead: ``finished`` are its
    services already done (reported, not run), and only services it had not started yet
    are checked for staleness (``stale_keys``), the others are reconciled from their journals.
    """

    plan: Plan
    aws: AwsContext
    backend: StateBackend
    ctx: ApplyContext
    parallelism: int = 10
    operation: str = "apply"
    resume: bool = False
    check_staleness: bool = True
    on_start: StartHook | None = None
    on_finish: FinishHook | None = None  # runs while the service's lock is still held
    sensitive: frozenset[str] = frozenset()
    secrets: Secrets = NO_SECRETS  # the run's secrets and the state's placeholder key
    run_id: str | None = None
    finished: Mapping[str, ServiceResult] = field(default_factory=dict)
    stale_keys: frozenset[str] | None = None
    workspace: str | None = None
    undoes: str | None = None


def _lock_all(req: RunRequest, run_id: str) -> list[LockInfo]:
    held: list[LockInfo] = []
    try:
        for sp in req.plan.services:
            if not sp.steps or sp.key in req.finished:
                continue  # nothing to write: no lock, no journal
            held.append(req.backend.lock(state_key(sp), operation=req.operation, run_id=run_id))
    except BaseException:
        for info in held:
            req.backend.unlock(info)
        raise
    return held


def _journal_for(req: RunRequest, sp: ServicePlan, run_id: str) -> Journal:
    if req.run_id is not None and req.backend.entries(state_key(sp), run_id):
        return Journal.resume(req.backend, state_key(sp), run_id)
    journal = Journal(req.backend, state_key(sp), run_id)
    journal.start(
        req.operation,
        {
            "service": req.secrets.mask(service_to_data(sp), req.sensitive),
            "options": to_data(req.plan.options),
            "plan_created_at": req.plan.created_at,
            "inputs_digest": req.plan.inputs_digest,
            "tool_version": req.plan.tool_version,
        },
    )
    return journal


def run_plan(req: RunRequest) -> list[ServiceResult]:
    """Apply every service of the plan. Returns one result per service, in plan order."""
    run_id = req.run_id or new_run_id()
    locks = _lock_all(req, run_id)
    try:
        if req.check_staleness:
            _check_stale_part(req)
        if req.run_id is None:
            _record(req, run_id)
        return _schedule(req, run_id)
    finally:
        for info in locks:
            req.backend.unlock(info)


def _check_stale_part(req: RunRequest) -> None:
    keys = req.stale_keys
    services = tuple(
        sp
        for sp in req.plan.services
        if sp.key not in req.finished and (keys is None or sp.key in keys)
    )
    if services:
        plan = replace(req.plan, services=services)
        check_stale(plan, req.aws, task_definition_cache(req.backend), req.sensitive, req.secrets)


def _record(req: RunRequest, run_id: str) -> None:
    """The run's whole plan, before its first write: what a resume or rollback continues."""
    req.backend.put_run_record(
        run_id,
        RunRecord(
            run_id=run_id,
            operation=req.operation,
            created=utc_now(),
            who=who_am_i(),
            version=__version__,
            plan=req.secrets.mask(plan_to_data(req.plan), req.sensitive),
            workspace=req.workspace,
            undoes=req.undoes,
            state_keys=tuple(state_key(sp) for sp in req.plan.services),
        ).to_json(),
    )


def _schedule(req: RunRequest, run_id: str) -> list[ServiceResult]:
    plans = {sp.key: sp for sp in req.plan.services}
    results: dict[str, ServiceResult] = dict(req.finished)
    pending = {k: sp for k, sp in plans.items() if k not in results}
    running: dict[Future[ServiceResult], str] = {}

    def start(sp: ServicePlan) -> ServiceResult:
        if req.on_start:
            req.on_start(sp)
        journal = _journal_for(req, sp, run_id)
        result = ServiceExecutor(req.ctx, sp, journal).run()
        if req.on_finish:
            req.on_finish(sp, result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, req.parallelism)) as pool:
        while pending or running:
            for key, sp in list(pending.items()):
                deps = [d for d in sp.depends_on if d in plans]
                blocked = next((d for d in deps if results.get(d) and not results[d].ok), None)
                if blocked or req.ctx.stop.is_set():
                    why = f"{blocked} did not finish" if blocked else "interrupted"
                    results[key] = _skip(req, sp, run_id, why)
                    del pending[key]
                elif not sp.steps:
                    results[key] = ServiceResult(key, "unchanged", run_id)
                    del pending[key]
                elif all(d in results for d in deps):
                    running[pool.submit(start, sp)] = key
                    del pending[key]
            if not running:
                continue
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in done:
                key = running.pop(fut)
                try:
                    results[key] = fut.result()
                except EcsplanError as e:
                    results[key] = ServiceResult(key, "failed", run_id, e.message)
    return [results[sp.key] for sp in req.plan.services]


def _skip(req: RunRequest, sp: ServicePlan, run_id: str, why: str) -> ServiceResult:
    """A service not started is journaled as an interrupted run, so `apply --resume` runs it."""
    journal = _journal_for(req, sp, run_id)
    journal.note(f"not started: {why}")
    journal.end("interrupted")
    return ServiceResult(sp.key, "skipped", journal.run_id, f"not started: {why}")
