"""The text format: rich renderables for a terminal, plain ASCII when piped.

The same renderables serve both; the console decides colour and width, and
`plain` picks an ASCII table border so the output pastes into a mail.
"""
from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..result import CheckResult, PropertyResult, Verdict

STYLE = {Verdict.VIOLATED: "bold red", Verdict.HOLDS: "green", Verdict.PROVED: "bold green",
         Verdict.UNKNOWN: "yellow"}


def header(result: CheckResult) -> Text:
    text = Text()
    text.append(result.strategy, style="bold")
    text.append(f" ({result.spec}): model {result.model}, {result.bounds.describe()}")
    return text


def violation(result: PropertyResult, plain: bool) -> Group:
    """A counterexample as a table a reviewer reads at once."""
    trace = result.trace
    title = Text()
    title.append(f"{result.property.value}: ", style="bold")
    title.append("VIOLATED", style=STYLE[Verdict.VIOLATED])
    title.append(f" in {trace.length} events ({result.property.meaning})")
    table = Table(box=box.ASCII if plain else box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("step", "cpu", "task", "event", "PKRS", "storage changed"):
        table.add_column(column, overflow="fold")
    for step in trace.steps:
        changed = ", ".join(f"{name} = {value}" for name, value in step.changes)
        cells = (str(step.number), str(step.cpu), str(step.task), step.event, step.pkrs, changed)
        table.add_row(*(Text(cell) for cell in cells))  # Text: names like `x[task 0]` are not markup
    return Group(title, table, Text("=> " + trace.explanation, style="red"), Text(""))


def summary(result: CheckResult) -> Group:
    lines = []
    for prop in result.properties:
        line = Text(f"  {prop.property.value:<13}")
        line.append(prop.verdict.value.upper(), style=STYLE[prop.verdict])
        if prop.trace is not None:
            line.append(f" in {prop.trace.length} events")
        elif prop.note:
            line.append(f" ({prop.note})")
        lines.append(line)
    s = result.statistics
    lines.append(Text(f"  {result.stop.value}: {s.states:,} states, {s.transitions:,} transitions,\n"
                      f"  {s.levels} levels, deepest nesting {s.max_nesting}, {s.seconds:.2f} s "
                      f"({s.states_per_second:,.0f} states/s)", style="dim"))
    return Group(*lines)


def render_text(result: CheckResult, plain: bool, *, streamed: bool = False) -> Group:
    """The whole report of one spec; `streamed` leaves out violations already shown."""
    parts = [header(result)]
    if not streamed:
        parts.extend(violation(p, plain) for p in result.properties if p.trace is not None)
    parts.append(summary(result))
    return Group(*parts)
