"""Graphviz DOT: each counterexample as a path of states, and for a small
state space the whole reachable graph (`dot -Tsvg FILE.dot`).

A counterexample node shows PKRS and the storage after its step (from the
trace's full state); the failing edge is red. The state graph comes from
explicit.state_graph; its violating edges are red and labelled with the
property, and fatal pushes and pops lead to one `fatal` node.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..result import CheckResult, Trace

GRAPH_LIMIT = 200  # states: beyond this a drawing is not read, only scrolled


@dataclass(frozen=True, slots=True)
class StateGraph:
    """A reachable state graph, already in words (commands/ builds it from a System)."""

    spec: str
    nodes: tuple[tuple[str, str, bool], ...]     # (id, label, initial)
    edges: tuple[tuple[str, str, str, tuple[str, ...]], ...]  # (from, to, events, properties violated)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l") + '"'


def render_dot(results: list[CheckResult], graphs: list[StateGraph] = (), left_out: list[str] = ()) -> str:
    lines = ["digraph pkrsverify {", '  graph [fontname="monospace", rankdir=TB];',
             '  node [shape=box, fontname="monospace", fontsize=10];', '  edge [fontname="monospace", fontsize=10];']
    lines += [f"  // {note}" for note in left_out]
    cluster = 0
    for result in results:
        for prop in result.properties:
            if prop.trace is not None:
                lines += _trace(cluster, result, prop.property.value, prop.trace)
                cluster += 1
    for graph in graphs:
        lines += _graph(cluster, graph)
        cluster += 1
    lines.append("}")
    return "\n".join(lines) + "\n"


def _trace(cluster: int, result: CheckResult, prop: str, trace: Trace) -> list[str]:
    prefix = f"c{cluster}_"
    label = f"{result.strategy}: {prop} violated in {trace.length} events"
    lines = [f"  subgraph cluster_{cluster} {{", f"    label={quote(label)};",
             f"    {prefix}0 [label={quote('boot: every value INIT')}];"]
    for step in trace.steps:
        shown = [f"after {step.number}: {trace.register} {step.pkrs}"]
        shown += [f"{name} = {value}" for name, value in step.state if not name.startswith(trace.register + "[")]
        if step.pkrs == "-":
            shown = [f"after {step.number}: BUG() (fatal push or pop)"]
        last = step.number == trace.length
        style = ", color=red, fontcolor=red" if last else ""
        lines.append(f"    {prefix}{step.number} [label={quote(chr(10).join(shown) + chr(10))}{style}];")
        event = f"{step.number}. cpu {step.cpu} task {step.task}: {step.event}"
        lines.append(f"    {prefix}{step.number - 1} -> {prefix}{step.number} [label={quote(event)}{style}];")
    lines.append(f"    {prefix}why [shape=note, label={quote(trace.explanation)}, color=red];")
    lines.append(f"    {prefix}{trace.length} -> {prefix}why [style=dotted, arrowhead=none];")
    lines.append("  }")
    return lines


def _graph(cluster: int, graph: StateGraph) -> list[str]:
    prefix = f"g{cluster}_"
    lines = [f"  subgraph cluster_{cluster} {{", f"    label={quote(f'{graph.spec}: every reachable state')};"]
    for node, label, initial in graph.nodes:
        extra = ", penwidth=2" if initial else ""
        lines.append(f"    {prefix}{node} [label={quote(label + chr(10))}{extra}];")
    for source, target, events, violated in graph.edges:
        text = events + (f"\n{', '.join(violated)} violated" if violated else "")
        style = ", color=red, fontcolor=red" if violated else ""
        lines.append(f"    {prefix}{source} -> {prefix}{target} [label={quote(text)}{style}];")
    lines.append("  }")
    return lines
