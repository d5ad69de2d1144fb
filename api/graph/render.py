"""Renders the topic graph as JSON, Mermaid or Graphviz DOT."""

from typing import Any

from api.catalog.snapshot import CatalogSnapshot


def graph_json(snapshot: CatalogSnapshot) -> dict[str, Any]:
    """Nodes as topic summaries and edges as prerequisite → topic pairs."""
    return {
        "nodes": [entry.summary for entry in snapshot.topics.values()],
        "edges": [{"prerequisite": pre, "topic": topic} for pre, topic in snapshot.edges],
    }


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def graph_mermaid(snapshot: CatalogSnapshot) -> str:
    """A Mermaid flowchart: one subgraph per area, an arrow from each prerequisite."""
    lines = ["flowchart LR"]
    for area in snapshot.areas:
        lines.append(f"  subgraph {area['slug']}[{_mermaid_label(area['title'])}]")
        lines.extend(
            f"    {entry.slug}[{_mermaid_label(entry.summary['title'])}]"
            for entry in snapshot.topics.values()
            if entry.area == area["slug"]
        )
        lines.append("  end")
    lines.extend(f"  {pre} --> {topic}" for pre, topic in snapshot.edges)
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    # Mermaid has no escape for a double quote inside a quoted label; #quot; is its entity.
    return '"' + text.replace('"', "#quot;") + '"'


def graph_dot(snapshot: CatalogSnapshot) -> str:
    """A Graphviz digraph: one cluster per area, an edge from each prerequisite."""
    lines = ["digraph skillpath {", "  rankdir=LR;", "  node [shape=box];"]
    for area in snapshot.areas:
        lines.append(f"  subgraph {_quoted('cluster_' + area['slug'])} {{")
        lines.append(f"    label={_quoted(area['title'])};")
        lines.extend(
            f"    {_quoted(entry.slug)} [label={_quoted(entry.summary['title'])}];"
            for entry in snapshot.topics.values()
            if entry.area == area["slug"]
        )
        lines.append("  }")
    lines.extend(f"  {_quoted(pre)} -> {_quoted(topic)};" for pre, topic in snapshot.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"
