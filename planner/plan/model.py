"""The Plan: what ecsplan will do, as frozen data.

A plan is built once (``plan``), saved as versioned JSON (``--out``), reviewed, and applied
exactly (``apply PLANFILE``). Everything the executor needs is here: the exact API payloads,
the order, the live fingerprint the plan depends on, and what undoing each step takes.
Nothing in this module does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

PLAN_FORMAT_VERSION = 1


class StepKind(str, Enum):
    """Step kinds of the DESIGN contract; the executor has one handler per kind."""

    REGISTER_TASK_DEFINITION = "register_task_definition"
    CREATE_SERVICE = "create_service"
    UPDATE_SERVICE = "update_service"
    SUSPEND_AUTO_SCALING = "suspend_auto_scaling"
    SET_SCALING_CAPACITY = "set_scaling_capacity"
    CREATE_CODEDEPLOY_DEPLOYMENT = "create_codedeploy_deployment"
    WAIT_ROLLOUT = "wait_rollout"
    RESUME_AUTO_SCALING = "resume_auto_scaling"
    DEREGISTER_TASK_DEFINITIONS = "deregister_task_definitions"
    STOP_CODEDEPLOY_DEPLOYMENT = "stop_codedeploy_deployment"  # rollback of an in-flight one
    # rollback of an ECS deployment paused at a PAUSE lifecycle hook (ContinueServiceDeployment)
    ROLLBACK_PAUSED_DEPLOYMENT = "rollback_paused_deployment"
    DELETE_SERVICE = "delete_service"  # rollback of a create, and `ecsplan delete`
    PUT_SCALING_POLICY = "put_scaling_policy"  # ecsplan.scaling.policies
    DELETE_SCALING_POLICY = "delete_scaling_policy"
    PUT_METRIC_ALARM = "put_metric_alarm"  # ecsplan.alarms


class Action(str, Enum):
    """Terraform-style action of a step or a service, shown as a symbol."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    READ = "read"  # waits: no change, but part of the apply
    NOOP = "no-op"

    @property
    def symbol(self) -> str:
        return {
            "create": "+",
            "update": "~",
            "replace": "-/+",
            "delete": "-",
            "read": "<=",
            "no-op": " ",
        }[self.value]


@dataclass(frozen=True)
class Change:
    """One attribute change inside a document, keyed by a readable path."""

    path: str
    kind: str  # "changed" | "added" | "removed"
    before: Any = None
    after: Any = None


def changes_between(before: Any, after: Any) -> tuple[Change, ...]:
    """The structured diff of two canonical documents as Change records (pure)."""
    from planner.canonical.diffing import structured_diff

    return tuple(
        Change(path=c["path"], kind=c["kind"], before=c.get("old"), after=c.get("new"))
        for c in structured_diff(before, after)
    )


def field_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> tuple[Change, ...]:
    """Changes of a flat record (an alarm, a policy, a scalable target), one per field, also
    when the record is created or deleted: what a reviewer reads as ``field: old -> new``."""
    if before is not None and after is not None:
        return changes_between(before, after)
    side = after if after is not None else before
    kind = "added" if after is not None else "removed"
    return tuple(
        Change(path=str(k), kind=kind, before=None if after is not None else v,
               after=v if after is not None else None)
        for k, v in (side or {}).items()
    )  # fmt: skip


@dataclass(frozen=True)
class Step:
    """One AWS write (or wait) with its exact payload and how to undo it.

    ``inputs`` names payload fields filled at apply time from an earlier step's outputs, e.g.
    ``{"taskDefinition": "<step id>"}`` takes the ARN the register step returned.
    """

    id: str
    kind: StepKind
    action: Action
    description: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, str] = field(default_factory=dict)
    before: Any = None
    after: Any = None
    changes: tuple[Change, ...] = ()
    destructive: bool = False
    undo: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class LiveState:
    """Everything the planner compared, as it saw it: canonical live documents, field by field.

    ``fields`` maps ``"<document>:<path>"`` (``service:desiredCount``, ``task definition:
    containerDefinitions[app].image``, ``scalable target:MaxCapacity``, ``scaling policy cpu:
    target_value``, ``alarm high-cpu:threshold``) to the canonical value when it is a short
    scalar, else to ``{"digest": ...}`` (lists, long strings; environment values are hashed
    before, so no digest is computed over a raw secret). ``digests`` holds one sha256 per
    document over its fields. Apply rebuilds the same form from a fresh read, with the same
    ``unmanaged`` paths left out (desiredCount the definition omits or auto scaling owns,
    ignored tags, create-time defaults), and names every field that differs.
    ``scaling_policies`` / ``alarms`` say what the planner read, so apply reads the same.
    """

    digests: Mapping[str, str]
    fields: Mapping[str, Any]
    unmanaged: tuple[str, ...] = ()
    scaling_policies: bool = False
    alarms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fingerprint:
    """The live facts a plan was built on; ``apply`` re-reads them and refuses if they moved.

    ``live`` is None only in plan files written before it existed: apply refuses those
    (see planner/plan/stale.py) rather than trust the few facts they hold.
    """

    status: str  # ACTIVE | MISSING | INACTIVE | DRAINING
    task_definition: str | None = None
    desired_count: int | None = None
    deployment_ids: tuple[str, ...] = ()
    scaling_suspended: Mapping[str, bool] | None = None
    scaling_min_max: tuple[int, int] | None = None
    latest_revision: str | None = None
    live: LiveState | None = None


@dataclass(frozen=True)
class Document:
    """A desired document next to its live counterpart, both in canonical form."""

    name: str  # "task definition" | "service"
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    changes: tuple[Change, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.changes) or (self.before is None) != (self.after is None)


@dataclass(frozen=True)
class Summary:
    """The facts a reviewer looks at first (the Markdown table row)."""

    images_before: tuple[str, ...] = ()
    images_after: tuple[str, ...] = ()
    cpu_memory_before: str | None = None
    cpu_memory_after: str | None = None
    desired_before: int | None = None
    desired_after: int | None = None
    deployment: str = "rolling"  # rolling | codedeploy | blue_green | linear | canary


@dataclass(frozen=True)
class Observed:
    """What the planner read for one service, as it read it (JSON-shaped, secrets blinded).

    The planner is pure, so the same configs and these reads give the same plan again:
    apply re-derives every step from them and refuses a plan file that says anything else
    (planner/plan/rederive.py), and the stale check then holds them to live AWS.
    ``codedeploy`` is a discovered CodeDeploy target (application, group) and ``warnings``
    what the reads had to say (discovery, namespaces), both as the desired side used them."""

    service: Mapping[str, Any] | None = None
    task_definition: Mapping[str, Any] | None = None
    scalable_target: Mapping[str, Any] | None = None
    pinned_task_definition: Mapping[str, Any] | None = None
    latest_revision: str | None = None
    scaling_policies: tuple[Mapping[str, Any], ...] | None = None
    alarms: tuple[Mapping[str, Any], ...] | None = None
    namespace_arns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    codedeploy: Mapping[str, Any] | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Principal:
    """The credentials a service's AWS calls use, as its workspace entry or config names
    them; a field left None is the invocation's (``--profile``, ``--assume-role-arn``)."""

    profile: str | None = None
    role_arn: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who a service acts as and in which account, recorded for every service of a plan
    whose services name a profile, a role or a region of their own, or span regions.

    ``profile``/``role_arn`` are what the entry or config names (not the global flags);
    ``account`` comes from STS GetCallerIdentity; ``scoped``: the entry or config names a
    profile, a role or (the entry) a region, so its state key includes account and region."""

    account: str
    profile: str | None = None
    role_arn: str | None = None
    scoped: bool = False

    @property
    def principal(self) -> Principal | None:
        if self.profile is None and self.role_arn is None:
            return None
        return Principal(self.profile, self.role_arn)


def state_key_of(cluster: str, service: str, region: str, identity: Identity | None) -> str:
    """The state (lock + journal) key of a service: ``CLUSTER/SERVICE``, or
    ``ACCOUNT/REGION/CLUSTER/SERVICE`` when it names its own identity or region, so two
    accounts' services of the same name never share a lock or a journal."""
    if identity is not None and identity.scoped:
        return f"{identity.account}/{region}/{cluster}/{service}"
    return f"{cluster}/{service}"


@dataclass(frozen=True)
class ServicePlan:
    """Everything planned for one service."""

    key: str  # unique in the plan: workspace name or service name
    config_path: str
    region: str
    cluster: str
    service: str
    controller: str  # ECS | CODE_DEPLOY | EXTERNAL
    action: Action
    fingerprint: Fingerprint
    steps: tuple[Step, ...] = ()
    documents: tuple[Document, ...] = ()
    summary: Summary = field(default_factory=Summary)
    depends_on: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    observed: Observed | None = None  # None in rollback/scale/delete plans (not re-derivable)
    left_alone: tuple[str, ...] = ()  # live settings the definition does not manage
    identity: Identity | None = None  # None: the invocation's identity, legacy state key

    @property
    def state_key(self) -> str:
        return state_key_of(self.cluster, self.service, self.region, self.identity)

    @property
    def principal(self) -> Principal | None:
        return self.identity.principal if self.identity is not None else None

    @property
    def has_changes(self) -> bool:
        return any(s.kind is not StepKind.WAIT_ROLLOUT for s in self.steps)

    @property
    def destructive(self) -> bool:
        return any(s.destructive for s in self.steps)


@dataclass(frozen=True)
class PlanOptions:
    """The flags a plan was made with (recorded so apply behaves the same)."""

    skip_task_definition: bool = False
    revision: int | None = None
    latest_task_definition: bool = False
    force_new_deployment: bool = False
    tasks: int | None = None
    suspend_auto_scaling: bool = False
    resume_auto_scaling: bool = False
    auto_scaling_min: int | None = None
    auto_scaling_max: int | None = None
    rollback_events: tuple[str, ...] = ()
    deployment_config: str | None = None
    wait: bool = True
    wait_until: str = "deployed"
    timeout_seconds: float | None = None


@dataclass(frozen=True)
class Plan:
    """A whole plan: one or many services, in dependency order."""

    services: tuple[ServicePlan, ...]
    options: PlanOptions = field(default_factory=PlanOptions)
    tool_version: str = ""
    created_at: str = ""
    inputs_digest: str = ""
    format_version: int = PLAN_FORMAT_VERSION
    workspace: str | None = None  # the -w file a workspace plan was made from

    @property
    def has_changes(self) -> bool:
        return any(s.has_changes for s in self.services)

    def counts(self) -> dict[str, int]:
        """How many of each thing: the numbers of the summary line."""
        c = {
            "register": 0,
            "create": 0,
            "update": 0,
            "deploy": 0,
            "unchanged": 0,
            "scaling": 0,
            "alarms": 0,
            "destroy": 0,
        }
        for sp in self.services:
            if not sp.has_changes:
                c["unchanged"] += 1
            for st in sp.steps:
                if st.kind is StepKind.REGISTER_TASK_DEFINITION:
                    c["register"] += 1
                elif st.kind is StepKind.CREATE_SERVICE:
                    c["create"] += 1
                elif st.kind in (StepKind.UPDATE_SERVICE, StepKind.ROLLBACK_PAUSED_DEPLOYMENT):
                    c["update"] += 1
                elif st.kind is StepKind.CREATE_CODEDEPLOY_DEPLOYMENT:
                    c["deploy"] += 1
                elif st.kind in (
                    StepKind.SUSPEND_AUTO_SCALING,
                    StepKind.RESUME_AUTO_SCALING,
                    StepKind.SET_SCALING_CAPACITY,
                    StepKind.PUT_SCALING_POLICY,
                    StepKind.DELETE_SCALING_POLICY,
                ):
                    c["scaling"] += 1
                elif st.kind is StepKind.PUT_METRIC_ALARM:
                    c["alarms"] += 1
                elif st.kind in (StepKind.DELETE_SERVICE, StepKind.DEREGISTER_TASK_DEFINITIONS):
                    c["destroy"] += 1
                elif st.kind is StepKind.STOP_CODEDEPLOY_DEPLOYMENT:
                    c["deploy"] += 1
        return c
