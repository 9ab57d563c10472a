"""Which task definition revisions are in use, and which ones `deregister` may remove.

:func:`read_revisions` reads the service, its tasks, the family's revisions and the
journal; the pure functions above it decide. A revision is "in use" when the service, one of
its deployments or task sets, a running task, or the last run (as its rollback target) needs
it; those are never touched, whatever the flags say.

ecspresso's own idea of "in use" (deregister.go ``inUseRevisions``, v2.6.0) is kept beside it
(:func:`ecspresso_in_use`): `revisions --output table|tsv|json` prints exactly ecspresso's
strings, and ecsplan's wider reasons show in `--output detail` (and guard `deregister`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from planner.aws.clients import AwsContext
from planner.aws.ops import OpsClient, family_of
from planner.aws.reads import ServiceRef
from planner.errors import EcsplanError
from planner.plan.model import state_key_of
from planner.state.backend import StateBackend
from planner.workspace.planning import ServiceEntry

if TYPE_CHECKING:
    from planner.ops.session import Session
from planner.canonical.units import revision_name


def short(arn: str) -> str:
    """``arn:...:task-definition/web:12`` -> ``web:12`` (also accepts ``web:12``)."""
    return revision_name(arn)


def revision_number(arn: str) -> int:
    return int(arn.rsplit(":", 1)[-1])


class RevisionInUse(EcsplanError):
    """`deregister --revision N` named a revision something still needs."""


@dataclass(frozen=True)
class Revision:
    """One revision of the family with what uses it (empty ``uses`` = unused)."""

    arn: str
    revision: int
    status: str = "ACTIVE"
    registered: str | None = None
    uses: tuple[str, ...] = ()

    @property
    def in_use(self) -> bool:
        return bool(self.uses)

    def to_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "arn": self.arn,
            "status": self.status,
            "registeredAt": self.registered,
            "inUse": self.in_use,
            "uses": list(self.uses),
        }


def usage(
    service: Mapping[str, Any] | None,
    tasks: Iterable[Mapping[str, Any]] = (),
    rollback_target: str | None = None,
    rollback_run: str | None = None,
) -> dict[str, tuple[str, ...]]:
    """``family:rev`` -> why it is in use, from the service, its tasks and the last run."""
    out: dict[str, list[str]] = {}

    def mark(arn: str | None, why: str) -> None:
        if arn:
            reasons = out.setdefault(short(arn), [])
            if why not in reasons:
                reasons.append(why)

    svc = service or {}
    if svc.get("status") == "ACTIVE":
        mark(svc.get("taskDefinition"), "service")
        for d in svc.get("deployments") or ():
            mark(d.get("taskDefinition"), f"{str(d.get('status', '')).lower()} deployment")
        for t in svc.get("taskSets") or ():
            mark(t.get("taskDefinition"), f"{str(t.get('status', '')).lower()} task set")
    for task in tasks:
        if task.get("lastStatus") != "STOPPED" or task.get("desiredStatus") == "RUNNING":
            mark(task.get("taskDefinitionArn"), "running task")
    if rollback_target:
        run = f" {rollback_run}" if rollback_run else ""
        mark(rollback_target, f"rollback target of the last run{run}")
    return {k: tuple(v) for k, v in out.items()}


def annotate(
    arns: Sequence[str],
    uses: Mapping[str, tuple[str, ...]],
    registered: Mapping[str, str | None] | None = None,
    status: str = "ACTIVE",
) -> list[Revision]:
    """Revisions newest first, each with its uses."""
    registered = registered or {}
    revs = [
        Revision(
            arn=a,
            revision=revision_number(a),
            status=status,
            registered=registered.get(a),
            uses=uses.get(short(a), ()),
        )
        for a in arns
    ]
    return sorted(revs, key=lambda r: r.revision, reverse=True)


@dataclass(frozen=True)
class Removal:
    """What `deregister` will do: ``remove`` these, ``kept`` these (with why)."""

    remove: tuple[Revision, ...] = ()
    kept: tuple[Revision, ...] = field(default_factory=tuple)


def choose(
    revisions: Sequence[Revision], *, keep: int | None = None, revision: int | None = None
) -> Removal:
    """Pick what to deregister: ``--keep N`` keeps the newest N and everything in use;
    ``--revision N`` removes exactly that one, or refuses naming why it is in use."""
    if (keep is None) == (revision is None):
        raise EcsplanError("give exactly one of --revision N or --keep N")
    ordered = sorted(revisions, key=lambda r: r.revision, reverse=True)
    if revision is not None:
        found = next((r for r in ordered if r.revision == revision), None)
        if found is None:
            raise EcsplanError(f"revision {revision} is not an ACTIVE revision of the family")
        if found.in_use:
            raise RevisionInUse(
                f"{short(found.arn)} is in use ({', '.join(found.uses)}); not deregistering it"
            )
        return Removal(remove=(found,), kept=tuple(r for r in ordered if r is not found))
    assert keep is not None
    if keep < 0:
        raise EcsplanError("--keep must be 0 or more")
    newest, older = ordered[:keep], ordered[keep:]
    return Removal(
        remove=tuple(r for r in older if not r.in_use),
        kept=tuple(newest) + tuple(r for r in older if r.in_use),
    )


def rollback_target(entries: Sequence[Any]) -> str | None:
    """The task definition a run would roll back to: the live one its plan started from."""
    start = next((e for e in entries if getattr(e, "event", None) == "run_start"), None)
    if start is None:
        return None
    fp = ((start.data or {}).get("service") or {}).get("fingerprint") or {}
    td = fp.get("task_definition")
    return str(td) if td else None


def ecspresso_in_use(
    tasks: Iterable[Mapping[str, Any]], service: Mapping[str, Any] | None
) -> dict[str, str]:
    """``family:rev`` -> ecspresso's "In Use" text (deregister.go ``inUseRevisions``, v2.6.0):
    ``<LASTSTATUS> task`` for a task not STOPPED (in ListTasks order, the last one wins), then
    ``<STATUS> deployment`` for each deployment of the service, which wins over tasks."""
    out: dict[str, str] = {}
    for t in tasks:
        st = str(t.get("lastStatus") or t.get("desiredStatus") or "")
        if st != "STOPPED" and t.get("taskDefinitionArn"):
            out[short(str(t["taskDefinitionArn"]))] = f"{st} task"
    if service and service.get("status") != "INACTIVE":
        for d in service.get("deployments") or ():
            if d.get("taskDefinition"):
                out[short(str(d["taskDefinition"]))] = f"{d.get('status', '')} deployment"
    return out


@dataclass(frozen=True)
class FamilyRevisions:
    key: str
    ref: ServiceRef
    family: str
    revisions: tuple[Revision, ...]  # newest first
    in_use_by: Mapping[str, str] = field(default_factory=dict)  # ecspresso's texts

    def name(self, r: Revision) -> str:
        return f"{self.family}:{r.revision}"


def last_run_target(backend: StateBackend, state_key: str) -> tuple[str | None, str | None]:
    """(rollback target task definition, run id) of the service's last apply run."""
    for run in backend.runs(state_key):
        if run.operation == "apply":
            return rollback_target(backend.entries(state_key, run.run_id)), run.run_id
    return None, None


def family_revisions(
    entry: ServiceEntry,
    ref: ServiceRef,
    aws: AwsContext,
    backend: StateBackend,
    details: int = 0,
    state_key: str | None = None,
) -> FamilyRevisions:
    """Read the family's ACTIVE revisions and everything that uses one of them.

    ``aws``: the service's own identity; ``details``: how many of the newest revisions to
    describe (registeredAt); ``state_key``: where its runs are journaled.
    """
    ops = OpsClient(aws, ref.region)
    svc = ops.describe_service(ref.cluster, ref.service)
    family = (entry.config.task_definition or {}).get("family")
    if not family and svc and svc.get("taskDefinition"):
        family = family_of(str(svc["taskDefinition"]))
    if not family:
        raise EcsplanError(f"{entry.key}: no task definition family (config or live service)")
    arns = ops.task_definition_arns(str(family))
    tasks = ops.listed_tasks(ref.cluster, family=str(family))  # desired RUNNING, then STOPPED
    key = state_key or state_key_of(ref.cluster, ref.service, ref.region, None)
    target, run_id = last_run_target(backend, key)
    registered: dict[str, str | None] = {}
    for arn in arns[: max(details, 0)]:
        at = ops.describe_task_definition(arn).get("registeredAt")
        registered[arn] = at.isoformat(timespec="seconds") if hasattr(at, "isoformat") else at
    uses = usage(svc, tasks, target, run_id)
    revs = tuple(annotate(arns, uses, registered))
    return FamilyRevisions(entry.key, ref, str(family), revs, ecspresso_in_use(tasks, svc))


def read_revisions(session: Session, details: int = 0) -> list[FamilyRevisions]:
    """Each selected service's family revisions, newest first, with what uses each."""
    refs, keys = session.refs(), session.state_keys()
    backend = session.backend()
    return [
        family_revisions(
            e, refs[e.key], session.aws_for(refs[e.key]), backend, details, keys[e.key]
        )
        for e in session.entries
    ]


def revision_arg(arg: str, fam: FamilyRevisions) -> int:
    """``--revision``: ``N``, ``family:N`` (a line of `revisions`) or ``latest`` (ecspresso)."""
    text = arg.strip()
    if text == "latest":
        if not fam.revisions:
            raise EcsplanError(f"{fam.key}: family {fam.family} has no ACTIVE revision")
        return fam.revisions[0].revision
    family, sep, number = text.rpartition(":")
    if sep and family.rsplit("/", 1)[-1] != fam.family:
        raise EcsplanError(f"--revision {arg}: not a revision of family {fam.family}")
    try:
        return int(number)
    except ValueError:
        raise EcsplanError(f"--revision {arg}: expected a number, family:N or latest") from None


def removals(
    session: Session, revision: str | None, keep: int | None
) -> list[tuple[FamilyRevisions, Removal]]:
    """What `deregister --revision`/`--keep` would remove per family (never one in use)."""
    out = []
    for f in read_revisions(session):
        number = None if revision is None else revision_arg(revision, f)
        out.append((f, choose(f.revisions, keep=keep, revision=number)))
    return out


def deregister(session: Session, fam: FamilyRevisions, removal: Removal, delete: bool) -> list[str]:
    """Deregister (and with ``delete`` delete) the removal's revisions; the delete failures."""
    ops = OpsClient(session.aws_for(fam.ref), fam.ref.region)
    for r in removal.remove:
        ops.deregister_task_definition(r.arn)
    if delete and removal.remove:
        return ops.delete_task_definitions([r.arn for r in removal.remove])
    return []


REVISION_FORMS = "a revision number, family:N, current or latest"


@dataclass(frozen=True)
class RevisionSpec:
    """`revisions --revision`: ``current``, ``latest``, or a number (of ``family`` if given)."""

    word: str | None = None
    number: int | None = None
    family: str | None = None


def parse_revision_spec(arg: str) -> RevisionSpec:
    """Checked before anything is read or sent: a bad value is one error naming the flag."""
    text = arg.strip()
    if text in ("current", "latest"):
        return RevisionSpec(word=text)
    family, sep, number = text.rpartition(":")
    if number.isascii() and number.isdigit() and (family or not sep) and int(number) > 0:
        return RevisionSpec(number=int(number), family=family.rsplit("/", 1)[-1] or None)
    raise EcsplanError(f"--revision {arg}: invalid revision (expected {REVISION_FORMS})")


def _described_name(spec: RevisionSpec, family: str, svc: Mapping[str, Any] | None) -> str:
    """What DescribeTaskDefinition is asked for (ecspresso revisions.go dumpRevision)."""
    if spec.word == "latest":
        return family  # a bare family is its newest ACTIVE revision
    if spec.word == "current":
        if not svc or svc.get("status") == "INACTIVE" or not svc.get("taskDefinition"):
            raise EcsplanError("--revision current: the service is not found (nothing runs)")
        return short(str(svc["taskDefinition"]))
    if spec.family and spec.family != family:
        raise EcsplanError(f"--revision {spec.family}:{spec.number}: not a revision of {family}")
    return f"{family}:{spec.number}"


def describe_revisions(
    session: Session, spec: RevisionSpec
) -> list[tuple[ServiceEntry, dict[str, Any]]]:
    """Each selected service's task definition that ``spec`` names, as DescribeTaskDefinition
    returns it (``taskDefinition`` only: ecspresso does not print the tags)."""
    refs = session.refs()
    out = []
    for e in session.entries:
        ref = refs[e.key]
        ops = OpsClient(session.aws_for(ref), ref.region)
        family = (e.config.task_definition or {}).get("family")
        need_service = spec.word == "current" or not family
        svc = ops.describe_service(ref.cluster, ref.service) if need_service else None
        if not family and svc and svc.get("taskDefinition"):
            family = family_of(str(svc["taskDefinition"]))
        if not family:
            raise EcsplanError(f"{e.key}: no task definition family (config or live service)")
        out.append((e, ops.describe_task_definition(_described_name(spec, str(family), svc))))
    return out
