"""The text format: rich renderables on a terminal, plain text otherwise.

On a terminal a counterexample is a coloured table; piped, with `--plain`
or under NO_COLOR the same content comes from plain.py, at most 72 columns
and without escape codes, wrapped in a `Text` so the caller prints both the
same way.
"""
from __future__ import annotations

from rich import box
from rich.console import Group
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from . import plain as plain_text
from ..result import CheckResult, PropertyResult, Verdict
from .common import changes, coverage_lines, coverage_warnings, fatal_note, statistics_text, verdict_text

STYLE = {Verdict.VIOLATED: "bold red", Verdict.HOLDS: "green", Verdict.PROVED: "bold green",
         Verdict.UNKNOWN: "yellow"}


def heading(strategy: str, spec: str, model: str, bounds: str, plain: bool) -> Text:
    """The line above one spec's report (printed before its search starts)."""
    if plain:
        return Text(plain_text.heading(strategy, spec, model, bounds))
    text = Text()
    text.append(strategy, style="bold")
    text.append(f" ({spec}): model {model}, {bounds}")
    return text


def header(result: CheckResult, plain: bool = False) -> Text:
    return heading(result.strategy, result.spec, result.model, result.bounds.describe(), plain)


class Fitted:
    """A rich table where it fits, else its plain twin: decided when printed, at the console's width.

    A table narrower than its content breaks names in the middle ("thread.pkrs_stac / k[task 0]")
    and wraps an indented event under the task column, which destroys the nesting; the plain
    layout is made for 72 columns and keeps every token whole."""

    def __init__(self, rich, plain, table: Table):
        self.rich, self.plain, self.table = rich, plain, table  # plain: width -> text

    def __rich_console__(self, console, options):
        needed = Measurement.get(console, options.update(width=10_000), self.table).minimum
        if options.max_width >= needed:
            yield self.rich
        else:
            width = min(plain_text.WIDTH, options.max_width)
            yield Text(self.plain(width).rstrip("\n"), no_wrap=True, overflow="ignore")


def violation(result: PropertyResult, plain: bool) -> Group | Text | Fitted:
    """A counterexample: the step table, what went wrong, and whose fault it was."""
    if plain:
        return Text(plain_text.violation(result))
    trace = result.trace
    title = Text()
    title.append(f"{result.property.value}: ", style="bold")
    title.append("VIOLATED", style=STYLE[Verdict.VIOLATED])
    title.append(f" in {trace.length} events ({result.property.meaning})")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("step", "cpu", "task", "event", trace.register):
        table.add_column(column, no_wrap=True)  # an event wrapped under the task column loses its nesting
    table.add_column("storage changed")  # wraps between words, never inside one
    depths: dict[int, int] = {}
    for step in trace.steps:
        before = depths.get(step.task, 0)
        level = before - 1 if step.event.startswith("exit") else before
        depths[step.task] = step.nesting
        cells = (str(step.number), str(step.cpu), str(step.task), "  " * max(level, 0) + step.event, step.pkrs,
                 "\n".join(changes(step)))
        table.add_row(*(Text(cell) for cell in cells))  # Text: names like `x[task 0]` are not markup
    parts = [title, table, *(Text(note, style="dim") for note in fatal_note(trace)),
             Text("=> " + trace.explanation, style="red")]
    if trace.culprit:
        culprit = Text("culprit: ", style="bold")
        culprit.append(trace.culprit)
        parts.append(culprit)
    parts.append(Text(""))
    return Fitted(Group(*parts), lambda width: plain_text.violation(result, width) + "\n", table)


def summary(result: CheckResult, plain: bool = False, *, timings: bool = True) -> Group | Text:
    if plain:
        return Text(plain_text.summary(result, timings=timings).rstrip("\n"))
    lines, notes = [], {}
    for prop in result.properties:
        line = Text(f"  {prop.property.value:<13}")
        line.append(verdict_text(prop), style=STYLE[prop.verdict])
        lines.append(line)
        if prop.trace is None and prop.note:
            notes[f"  {prop.verdict.value}: {prop.note}"] = None  # said once for all it applies to
    lines += [Text(note) for note in notes]
    lines += [Text(f"  {line}", style="dim") for line in coverage_lines(result)]
    lines += [Text(f"  warning: {warning}", style="yellow") for warning in coverage_warnings(result)]
    lines.append(Text(f"  {statistics_text(result, timings)}", style="dim"))
    return Group(*lines)


def render_text(result: CheckResult, plain: bool, *, streamed: bool = False, timings: bool = True) -> Group:
    """The whole report of one spec; `streamed` leaves out violations already shown.
    The last renderable is always the summary."""
    parts = [header(result, plain)]
    if not streamed:
        parts.extend(violation(p, plain) for p in result.properties if p.trace is not None)
    parts.append(summary(result, plain, timings=timings))
    return Group(*parts)
