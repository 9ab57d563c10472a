"""The graph operation: a workspace's dependency order, marked by a saved plan when given.

The workspace file is read (and checked: unknown names and cycles are its located errors)
without loading the service configs, so no template runs and nothing reaches AWS. A plan
file is untrusted input: it goes through the saved-plan reader (schema, version), and its
own ``depends_on`` lists are checked before they are drawn.
"""

from __future__ import annotations

from planner.apply.saved_plan import read_plan_file
from planner.config import LoadOptions
from planner.config.workspace_file import load_workspace
from planner.errors import EcsplanError, json_path
from planner.plan.codec import plan_from_data
from planner.plan.graph import (
    DependencyGraph,
    dependency_graph,
    dependency_problem,
    plan_graph,
    with_marks,
)
from planner.plan.model import Plan


def workspace_graph(
    workspace: str | None, plan_file: str | None, options: LoadOptions | None = None
) -> DependencyGraph:
    """The graph of ``workspace`` (marked by ``plan_file``), or of the plan file alone."""
    if workspace is None:
        if plan_file is None:
            raise EcsplanError(
                "graph needs a workspace (ecsplan -w workspace.yml graph) or a saved plan "
                "(ecsplan graph plan.json)"
            )
        return plan_graph(_read_plan(plan_file))
    ws = load_workspace(workspace, options)
    graph = dependency_graph([(s.name, s.depends_on) for s in ws.services])
    if plan_file is None:
        return graph
    plan = _read_plan(plan_file)
    listed = {n.key for n in graph.nodes}
    extra = [sp.key for sp in plan.services if sp.key not in listed]
    if extra:
        raise EcsplanError(
            f'{plan_file}: the plan covers service "{extra[0]}", which {workspace} does not '
            "list: draw it with the workspace the plan was made with"
        )
    return with_marks(graph, plan)


def _read_plan(path: str) -> Plan:
    """A saved plan whose services are listed once and whose ``depends_on`` lists name its
    own services, without a cycle."""
    data = read_plan_file(path)
    plan = plan_from_data(data)
    problem = dependency_problem([(sp.key, sp.depends_on) for sp in plan.services])
    if problem is not None:
        where, message = problem
        raise EcsplanError(f"{path}: {json_path(['services', *where])}: {message}")
    return plan
