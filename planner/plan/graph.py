"""The dependency graph of a workspace (``depends_on``) as data, optionally marked by a plan.

``ecsplan graph`` draws it and the Markdown plan carries it, so that a reviewer sees which
services change and in which order apply takes them. Pure: built from names and
``depends_on`` lists (the workspace file's, or a plan's), never from AWS.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from planner.plan.model import Action, Plan, ServicePlan


class Mark(str, Enum):
    """What a plan does to a service, as the graph shows it."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    UNCHANGED = "no changes"
    NOT_PLANNED = "not in the plan"  # a workspace service the plan left out (--target)

    @property
    def changed(self) -> bool:
        return self not in (Mark.UNCHANGED, Mark.NOT_PLANNED)


_BY_ACTION = {
    Action.CREATE: Mark.CREATE,
    Action.REPLACE: Mark.REPLACE,
    Action.DELETE: Mark.DELETE,
}


@dataclass(frozen=True)
class GraphNode:
    """One service. ``mark`` None: no plan was given (the bare workspace order)."""

    key: str
    mark: Mark | None = None
    destructive: bool = False


@dataclass(frozen=True)
class DependencyGraph:
    """Services in apply order (dependencies first); ``edges`` as (dependency, dependent)."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]

    @property
    def marked(self) -> bool:
        return any(n.mark is not None for n in self.nodes)


def mark_of(sp: ServicePlan) -> Mark:
    """A service whose only steps are waits has no changes, as everywhere else."""
    if not sp.has_changes:
        return Mark.UNCHANGED
    return _BY_ACTION.get(sp.action, Mark.UPDATE)


def dependency_cycle(deps: Mapping[str, Iterable[str]]) -> tuple[str, ...] | None:
    """A cycle as ``(a, b, ..., a)`` where each service depends on the next one, or None."""
    try:
        graphlib.TopologicalSorter({k: set(v) for k, v in deps.items()}).prepare()
    except graphlib.CycleError as e:
        # graphlib lists it following predecessors (dependencies): reversed, it follows
        # depends_on, as the user wrote it.
        return tuple(reversed(list(e.args[1])))
    return None


def dependency_graph(services: Sequence[tuple[str, Sequence[str]]]) -> DependencyGraph:
    """The graph of ``(key, depends_on)`` pairs, nodes in the order a workspace plans them
    (graphlib's static order of the same mapping, as planner/workspace/selection.py sorts).

    Dependencies on keys not in ``services`` are left out, a key listed twice counts once,
    and a cyclic input keeps its order: callers that take untrusted input check those first
    (``dependency_problem``)."""
    deps: dict[str, list[str]] = {}
    for k, ds in services:
        deps.setdefault(k, list(ds))  # a key listed twice: its first entry
    deps = {k: [d for d in ds if d in deps and d != k] for k, ds in deps.items()}
    order = list(deps)
    if dependency_cycle(deps) is None:
        order = list(graphlib.TopologicalSorter(deps).static_order())
    edges = tuple((d, k) for k in order for d in deps[k])
    return DependencyGraph(tuple(GraphNode(k) for k in order), edges)


def dependency_problem(
    services: Sequence[tuple[str, Sequence[str]]],
) -> tuple[tuple[int | str, ...], str] | None:
    """The first duplicate key, unknown dependency or cycle of untrusted ``(key, depends_on)``
    pairs: (where, relative to the list: ``(3, "depends_on", 0)``, message)."""
    keys = [k for k, _ in services]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            return (i, "key"), f'service "{key}" is listed twice'
    for i, (key, deps) in enumerate(services):
        for j, dep in enumerate(deps):
            if dep not in keys:
                return (i, "depends_on", j), f'unknown service "{dep}"'
            if dep == key:
                return (i, "depends_on", j), "a service cannot depend on itself"
    cycle = dependency_cycle(dict(services))
    if cycle is not None:
        where = (keys.index(cycle[0]), "depends_on")
        return where, f"dependency cycle: {' -> '.join(cycle)}"
    return None


def plan_graph(plan: Plan) -> DependencyGraph:
    """The graph of a plan's own services, each marked by what the plan does to it."""
    graph = dependency_graph([(sp.key, sp.depends_on) for sp in plan.services])
    return with_marks(graph, plan)


def with_marks(graph: DependencyGraph, plan: Plan) -> DependencyGraph:
    """``graph`` with each node marked by ``plan`` (NOT_PLANNED where it has no service)."""
    by_key = {sp.key: sp for sp in plan.services}
    nodes = []
    for n in graph.nodes:
        sp = by_key.get(n.key)
        if sp is None:
            nodes.append(replace(n, mark=Mark.NOT_PLANNED, destructive=False))
        else:
            nodes.append(replace(n, mark=mark_of(sp), destructive=sp.destructive))
    return replace(graph, nodes=tuple(nodes))


def around_changes(graph: DependencyGraph) -> DependencyGraph:
    """Only the changed services and their direct neighbours: a large workspace's diagram
    cut down to what a reviewer of this plan needs."""
    changed = {n.key for n in graph.nodes if n.mark is not None and n.mark.changed}
    keep = set(changed)
    for a, b in graph.edges:
        if a in changed or b in changed:
            keep |= {a, b}
    return DependencyGraph(
        tuple(n for n in graph.nodes if n.key in keep),
        tuple((a, b) for a, b in graph.edges if a in keep and b in keep),
    )
