"""The dependency graph (planner/plan/graph.py) and its two drawings (planner/render/graph.py).

What a user relies on: nodes in the order apply takes them, every depends_on an arrow from
the dependency to its dependent, each service marked by what a plan does to it, a cycle or an
unknown name reported by name, and any service name drawn as itself without breaking the
Mermaid or DOT around it.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from test_render_plans import (
    codedeploy_service,
    count_only_service,
    image_change_service,
    new_service,
    plan_of,
    unchanged_service,
)

from planner.plan.graph import (
    DependencyGraph,
    GraphNode,
    Mark,
    around_changes,
    dependency_cycle,
    dependency_graph,
    dependency_problem,
    plan_graph,
    with_marks,
)
from planner.plan.model import Action, ServicePlan, Step, StepKind
from planner.render.graph import label, mermaid_text, render_dot, render_mermaid

MICRO = [("database", ()), ("api", ("database",)), ("frontend", ("api",))]


def keys(graph: DependencyGraph) -> list[str]:
    return [n.key for n in graph.nodes]


# --- the model --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("services", "order", "edges"),
    [
        (MICRO, ["database", "api", "frontend"], [("database", "api"), ("api", "frontend")]),
        (  # given dependents first: still drawn in apply order
            [("frontend", ("api",)), ("api", ("database",)), ("database", ())],
            ["database", "api", "frontend"],
            [("database", "api"), ("api", "frontend")],
        ),
        (  # a diamond: both branches after db, web after both
            [("db", ()), ("a", ("db",)), ("b", ("db",)), ("web", ("a", "b"))],
            ["db", "a", "b", "web"],
            [("db", "a"), ("db", "b"), ("a", "web"), ("b", "web")],
        ),
        ([("x", ()), ("y", ())], ["x", "y"], []),  # independent services: no arrows
        (  # a name listed twice counts once; a dependency outside the list is left out
            [("a", ()), ("b", ("a", "gone")), ("a", ("b",))],
            ["a", "b"],
            [("a", "b")],
        ),
    ],
)
def test_dependency_graph_orders_like_apply(
    services: list[tuple[str, tuple[str, ...]]], order: list[str], edges: list[tuple[str, str]]
) -> None:
    graph = dependency_graph(services)
    assert keys(graph) == order
    assert list(graph.edges) == edges
    assert not graph.marked


@pytest.mark.parametrize(
    ("services", "problem"),
    [
        (MICRO, None),
        ([], None),
        (
            [("a", ()), ("b", ("a",)), ("a", ())],
            ((2, "key"), 'service "a" is listed twice'),
        ),
        (
            [("api", ("database", "cache")), ("database", ())],
            ((0, "depends_on", 1), 'unknown service "cache"'),
        ),
        ([("api", ("api",))], ((0, "depends_on", 0), "a service cannot depend on itself")),
        (
            [("database", ("frontend",)), ("api", ("database",)), ("frontend", ("api",))],
            ((0, "depends_on"), "dependency cycle: database -> frontend -> api -> database"),
        ),
        (
            [("ok", ()), ("a", ("b",)), ("b", ("a",))],
            ((1, "depends_on"), "dependency cycle: a -> b -> a"),
        ),
    ],
)
def test_dependency_problem_names_the_first_one(
    services: list[tuple[str, tuple[str, ...]]],
    problem: tuple[tuple[int | str, ...], str] | None,
) -> None:
    assert dependency_problem(services) == problem


def test_dependency_cycle_follows_depends_on() -> None:
    cycle = dependency_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []})
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 4
    deps = {"a": "b", "b": "c", "c": "a"}
    for x, y in itertools.pairwise(cycle):
        assert deps[x] == y  # each one depends on the next, as the user wrote it
    assert dependency_cycle(dict(MICRO)) is None


def _destructive(sp: ServicePlan) -> ServicePlan:
    step = Step(
        id=f"{sp.key}/x", kind=StepKind.UPDATE_SERVICE, action=Action.UPDATE, description="x"
    )
    return replace(sp, steps=(*sp.steps, replace(step, destructive=True)))


@pytest.mark.parametrize(
    ("sp", "mark", "destructive"),
    [
        (new_service("svc"), Mark.CREATE, False),
        (image_change_service("svc"), Mark.UPDATE, False),
        (count_only_service("svc"), Mark.UPDATE, False),
        (codedeploy_service("svc"), Mark.UPDATE, False),
        (unchanged_service("svc"), Mark.UNCHANGED, False),
        (replace(image_change_service("svc"), action=Action.REPLACE), Mark.REPLACE, False),
        (replace(image_change_service("svc"), action=Action.DELETE), Mark.DELETE, False),
        (_destructive(image_change_service("svc")), Mark.UPDATE, True),
        (  # only a wait step left: nothing changes, as everywhere else
            replace(
                image_change_service("svc"),
                steps=tuple(
                    s for s in image_change_service("svc").steps if s.kind is StepKind.WAIT_ROLLOUT
                ),
            ),
            Mark.UNCHANGED,
            False,
        ),
    ],
)
def test_plan_marks_each_service(sp: ServicePlan, mark: Mark, destructive: bool) -> None:
    (node,) = plan_graph(plan_of(sp)).nodes
    assert (node.key, node.mark, node.destructive) == ("svc", mark, destructive)
    assert node.mark.changed is (mark not in (Mark.UNCHANGED, Mark.NOT_PLANNED))


def test_with_marks_marks_services_the_plan_left_out() -> None:
    graph = dependency_graph(MICRO)
    plan = plan_of(unchanged_service("database"), image_change_service("api"))  # --target api
    marked = with_marks(graph, plan)
    assert [(n.key, n.mark) for n in marked.nodes] == [
        ("database", Mark.UNCHANGED),
        ("api", Mark.UPDATE),
        ("frontend", Mark.NOT_PLANNED),
    ]
    assert marked.edges == graph.edges and marked.marked


def test_around_changes_keeps_changes_and_their_neighbours() -> None:
    chain = [(f"s{i}", (f"s{i - 1}",) if i else ()) for i in range(6)]
    services = [
        replace(
            image_change_service(k) if k == "s3" else unchanged_service(k),
            depends_on=tuple(d),
        )
        for k, d in chain
    ]
    small = around_changes(plan_graph(plan_of(*services)))
    assert keys(small) == ["s2", "s3", "s4"]
    assert list(small.edges) == [("s2", "s3"), ("s3", "s4")]


# --- the drawings -----------------------------------------------------------------------------


def _marked_micro() -> DependencyGraph:
    plan = plan_of(
        unchanged_service("database"),
        replace(image_change_service("api"), depends_on=("database",)),
        replace(new_service("frontend"), depends_on=("api",)),
    )
    return plan_graph(plan)


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        (
            dependency_graph(MICRO),
            """flowchart LR
  s1["database"]
  s2["api"]
  s3["frontend"]
  s1 --> s2
  s2 --> s3
""",
        ),
        (
            _marked_micro(),
            """flowchart LR
  s1["database (no changes)"]
  s2["~ api (update)"]
  s3["+ frontend (create)"]
  s1 --> s2
  s2 --> s3
  classDef unchanged fill:#f6f8fa,stroke:#8c959f,color:#57606a
  class s1 unchanged
  classDef update fill:#fff8c5,stroke:#9a6700,color:#1f2328
  class s2 update
  classDef create fill:#dafbe1,stroke:#1a7f37,color:#1f2328
  class s3 create
""",
        ),
    ],
    ids=["bare", "marked"],
)
def test_mermaid(graph: DependencyGraph, expected: str) -> None:
    assert render_mermaid(graph) == expected


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        (
            dependency_graph(MICRO),
            """digraph "workspace.yml" {
  rankdir=LR;
  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];
  s1 [label="database"];
  s2 [label="api"];
  s3 [label="frontend"];
  s1 -> s2;
  s2 -> s3;
}
""",
        ),
        (
            _marked_micro(),
            """digraph "workspace.yml" {
  rankdir=LR;
  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];
  s1 [label="database (no changes)", fillcolor="#f6f8fa", color="#8c959f", fontcolor="#57606a"];
  s2 [label="~ api (update)", fillcolor="#fff8c5", color="#9a6700"];
  s3 [label="+ frontend (create)", fillcolor="#dafbe1", color="#1a7f37"];
  s1 -> s2;
  s2 -> s3;
}
""",
        ),
    ],
    ids=["bare", "marked"],
)
def test_dot(graph: DependencyGraph, expected: str) -> None:
    assert render_dot(graph, "workspace.yml") == expected


@pytest.mark.parametrize(
    ("node", "text", "style"),
    [
        (GraphNode("a", Mark.REPLACE), "-/+ a (replace)", "fill:#ffebe9"),
        (GraphNode("a", Mark.DELETE), "- a (delete)", "fill:#ffebe9"),
        (GraphNode("a", Mark.UPDATE, destructive=True), "~ a (update, destructive)", "#ffebe9"),
        (GraphNode("a", Mark.NOT_PLANNED), "a (not in the plan)", "stroke-dasharray"),
    ],
)
def test_dangerous_and_absent_marks_look_different(node: GraphNode, text: str, style: str) -> None:
    graph = DependencyGraph((node,), ())
    assert label(node) == text
    mermaid = render_mermaid(graph)
    assert f'["{mermaid_text(text)}"]' in mermaid
    assert style in mermaid


ODD_NAMES = [
    "api-v2.internal:8080",
    'quote"d',
    "back\\slash",
    "<b>html</b> & #35; [x] {y} (z)",
    "pipe|semi;colon",
    "tick`s",
    "end",  # a Mermaid keyword
    "graph",
    "new\nline",
    "日本語-サービス",
    "s1",  # looks like a generated id
    "x --> y",
]


def _mermaid_decode(s: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), s)


def test_odd_names_are_safe_in_mermaid() -> None:
    graph = dependency_graph(
        [(n, (ODD_NAMES[i - 1],) if i else ()) for i, n in enumerate(ODD_NAMES)]
    )
    lines = render_mermaid(graph).splitlines()
    nodes = [line for line in lines if "[" in line]
    assert len(nodes) == len(ODD_NAMES)
    for line, name in zip(nodes, ODD_NAMES, strict=True):
        m = re.fullmatch(r'  (s\d+)\["([^"\[\]{}<>|;`#]*(?:#\d+;[^"\[\]{}<>|;`#]*)*)"\]', line)
        assert m, line
        shown = html.unescape(_mermaid_decode(m[2]))
        assert shown == name.replace("\n", "\\n")  # a newline shown, not obeyed
    arrows = [line for line in lines if "-->" in line and "[" not in line]
    assert len(arrows) == len(ODD_NAMES) - 1
    assert all(re.fullmatch(r"  s\d+ --> s\d+", a) for a in arrows)


def _dot_labels(text: str) -> list[str]:
    """The label strings of DOT node statements, unescaped as Graphviz reads them."""
    found = re.findall(r'^  s\d+ \[label="((?:[^"\\]|\\.)*)"', text, flags=re.M)
    return [re.sub(r"\\(.)", r"\1", s) for s in found]


def test_odd_names_are_safe_in_dot() -> None:
    graph = dependency_graph([(n, ()) for n in ODD_NAMES])
    text = render_dot(graph, 'work"space.yml')
    assert text.startswith('digraph "work\\"space.yml" {\n')
    assert _dot_labels(text) == [n.replace("\n", "\\n") for n in ODD_NAMES]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_graphviz_reads_the_dot_with_odd_names() -> None:
    services = [(n, (ODD_NAMES[i - 1],) if i else ()) for i, n in enumerate(ODD_NAMES)]
    text = render_dot(with_marks(dependency_graph(services), plan_of()), "ws")
    r = subprocess.run(
        ["dot", "-Tplain"], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert r.returncode == 0, r.stderr
    drawn = [line for line in r.stdout.splitlines() if line.startswith("node ")]
    edges = [line for line in r.stdout.splitlines() if line.startswith("edge ")]
    assert len(drawn) == len(ODD_NAMES) and len(edges) == len(ODD_NAMES) - 1
    assert any('quote\\"d (not in the plan)' in line for line in drawn)
