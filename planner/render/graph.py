"""The dependency graph as Mermaid (GitHub renders ```` ```mermaid ```` blocks) and as DOT.

Node ids are generated (``s1``, ``s2``... in apply order), never derived from names, so any
service name is safe: names only appear in quoted labels, escaped for each language (Mermaid
entity codes, DOT ``\\"``), after ``printable`` has made control characters visible.
Arrows point from a dependency to the service that depends on it: the order apply takes.
"""

from __future__ import annotations

import re

from planner.plan.graph import DependencyGraph, GraphNode, Mark
from planner.render.printable import printable

_SYMBOL = {
    Mark.CREATE: "+ ",
    Mark.UPDATE: "~ ",
    Mark.REPLACE: "-/+ ",
    Mark.DELETE: "- ",
    Mark.UNCHANGED: "",
    Mark.NOT_PLANNED: "",
}

# (class name, Mermaid style, DOT attributes): one look per kind of change.
_STYLE = {
    "create": ("fill:#dafbe1,stroke:#1a7f37,color:#1f2328", 'fillcolor="#dafbe1", color="#1a7f37"'),
    "update": ("fill:#fff8c5,stroke:#9a6700,color:#1f2328", 'fillcolor="#fff8c5", color="#9a6700"'),
    "danger": ("fill:#ffebe9,stroke:#cf222e,color:#1f2328", 'fillcolor="#ffebe9", color="#cf222e"'),
    "unchanged": (
        "fill:#f6f8fa,stroke:#8c959f,color:#57606a",
        'fillcolor="#f6f8fa", color="#8c959f", fontcolor="#57606a"',
    ),
    "absent": (
        "fill:#ffffff,stroke:#8c959f,stroke-dasharray:4 4,color:#57606a",
        'fillcolor="#ffffff", color="#8c959f", fontcolor="#57606a", style="rounded,dashed"',
    ),
}

# Characters left as they are in a Mermaid label; every other one becomes an entity code.
_MERMAID_PLAIN = re.compile(r"[A-Za-z0-9 _.,:/()+~=@-]")


def label(node: GraphNode) -> str:
    """``~ api (update)``, ``+ web (create, destructive)``, ``db (no changes)`` or ``db``."""
    name = printable(node.key)
    if node.mark is None:
        return name
    what = node.mark.value + (", destructive" if node.destructive else "")
    return f"{_SYMBOL[node.mark]}{name} ({what})"


def style_class(node: GraphNode) -> str | None:
    if node.mark is None:
        return None
    if node.destructive or node.mark in (Mark.REPLACE, Mark.DELETE):
        return "danger"
    return {
        Mark.CREATE: "create",
        Mark.UPDATE: "update",
        Mark.UNCHANGED: "unchanged",
        Mark.NOT_PLANNED: "absent",
    }[node.mark]


def _ids(graph: DependencyGraph) -> dict[str, str]:
    return {n.key: f"s{i}" for i, n in enumerate(graph.nodes, start=1)}


def mermaid_text(s: str) -> str:
    """``s`` safe inside a quoted Mermaid label: ``"``, ``#``, ``<``, backticks... as ``#NN;``."""
    return "".join(c if _MERMAID_PLAIN.fullmatch(c) else f"#{ord(c)};" for c in s)


def mermaid_lines(graph: DependencyGraph) -> list[str]:
    """The flowchart, one statement per line (left to right: the apply order)."""
    ids = _ids(graph)
    out = ["flowchart LR"]
    out.extend(f'  {ids[n.key]}["{mermaid_text(label(n))}"]' for n in graph.nodes)
    out.extend(f"  {ids[a]} --> {ids[b]}" for a, b in graph.edges)
    classes: dict[str, list[str]] = {}
    for n in graph.nodes:
        cls = style_class(n)
        if cls is not None:
            classes.setdefault(cls, []).append(ids[n.key])
    for cls, members in classes.items():
        out.append(f"  classDef {cls} {_STYLE[cls][0]}")
        out.append(f"  class {','.join(members)} {cls}")
    return out


def render_mermaid(graph: DependencyGraph) -> str:
    return "\n".join(mermaid_lines(graph)) + "\n"


def dot_text(s: str) -> str:
    """``s`` inside a DOT quoted string: backslashes and double quotes escaped."""
    return s.replace("\\", "\\\\").replace('"', '\\"')


def render_dot(graph: DependencyGraph, name: str = "ecsplan") -> str:
    """A Graphviz digraph (``dot -Tsvg``), left to right, one statement per line."""
    ids = _ids(graph)
    out = [
        f'digraph "{dot_text(printable(name))}" {{',
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
    ]
    for n in graph.nodes:
        cls = style_class(n)
        attrs = f'label="{dot_text(label(n))}"'
        if cls is not None:
            attrs += f", {_STYLE[cls][1]}"
        out.append(f"  {ids[n.key]} [{attrs}];")
    out.extend(f"  {ids[a]} -> {ids[b]};" for a, b in graph.edges)
    out.append("}")
    return "\n".join(out) + "\n"
