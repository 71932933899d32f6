"""Plain text: at most 72 columns, ASCII, no escape codes, so that it pastes
into a mailing-list reply as it is.

A counterexample is a diff trace (TLC's "only what changed"): one line per
event, indented by how deep the task is nested, and under it the storage
that event changed, `name: old -> new`. Long lines wrap with a hanging
indent rather than run past the margin.
"""
from __future__ import annotations

import re
import textwrap

from ..result import CheckResult, PropertyResult, Trace, Verdict
from .common import (changes, coverage_lines, coverage_warnings, fatal_note, statistics_text, unloaded_lines,
                     verdict_text)

WIDTH = 72
INDENT = "  "


def wrap(text: str, indent: str = "", hanging: str | None = None, width: int = WIDTH) -> list[str]:
    """`text` wrapped to `width`, first line at `indent`, the rest at `hanging` (deeper by default).

    A name like `x[task 0]` and a `code span` never break inside.
    """
    hanging = indent + "   " if hanging is None else hanging
    protected = _KEEP.sub(lambda m: m.group(0).replace(" ", _GLUE), text)
    lines = textwrap.wrap(protected, width, initial_indent=indent, subsequent_indent=hanging,
                          break_long_words=True, break_on_hyphens=False) or [indent.rstrip()]
    return [line.replace(_GLUE, " ") for line in lines]


def unbroken(text: str) -> str:
    """`text` that `wrap` will not break at its spaces."""
    return text.replace(" ", _GLUE)


_KEEP = re.compile(r"\[[^\]\n]*\]|`[^`\n]*`|\b(?:task|cpu|step|line) \d+")
_GLUE = "\x00"


def heading(strategy: str, spec: str, model: str, bounds: str) -> str:
    """Two lines and a blank one: the spec, then its model and bounds."""
    return "\n".join(wrap(f"{strategy} ({spec})") + wrap(f"model {model}, {bounds}", INDENT)) + "\n"


def violation(result: PropertyResult, width: int = WIDTH) -> str:
    """A counterexample in `width` columns (72, for mail; less on a narrow terminal)."""
    trace = result.trace
    lines = [f"{result.property.value}: VIOLATED in {trace.length} events"]
    lines += wrap(f"({result.property.meaning})", INDENT, width=width)
    lines.append("")
    lines += trace_lines(trace, width)
    lines.append("")
    lines += wrap(f"=> {trace.explanation}", INDENT, INDENT + "   ", width)
    if trace.culprit:
        lines += wrap(f"culprit: {trace.culprit}", INDENT, INDENT + "   ", width)
    return "\n".join(lines) + "\n"


def trace_lines(trace: Trace, width: int = WIDTH) -> list[str]:
    """The step table: `step cpu task event PKRS`, nesting shown by indenting
    the event, and under each step the storage it changed."""
    rows = []
    depths: dict[int, int] = {}  # each task's nesting before the step
    for step in trace.steps:
        before = depths.get(step.task, 0)
        level = before - 1 if step.event.startswith("exit") else before
        depths[step.task] = step.nesting
        rows.append((step, "  " * max(level, 0) + step.event))
    event_width = max([len("event")] + [len(event) for _, event in rows])
    head = f"{INDENT}{'step':>4}  {'cpu':>3} {'task':>4}  {'event':<{event_width}}  {trace.register}"
    lines = [head.rstrip()]
    column = len(INDENT) + 16  # where the event column starts
    for step, event in rows:
        line = f"{INDENT}{step.number:>4}  {step.cpu:>3} {step.task:>4}  {event:<{event_width}}  {step.pkrs}"
        lines += wrap(line.rstrip(), "", " " * (column + 2), width)
        for change in changes(step):
            lines += wrap(change, " " * (column + 2), " " * (column + 6), width)
    for note in fatal_note(trace):
        lines += wrap(note, INDENT, INDENT + "   ", width)
    return lines


def summary(result: CheckResult, *, timings: bool = True) -> str:
    """One line per property; a note shared by several verdicts is said once."""
    lines = []
    notes: dict[Verdict, list[str]] = {}
    for prop in result.properties:
        lines += wrap(f"{prop.property.value:<13} {verdict_text(prop)}", INDENT, INDENT + " " * 14)
        if prop.trace is None and prop.note:
            notes.setdefault(prop.verdict, []).append(prop.note)
    for verdict, said in notes.items():
        for note in dict.fromkeys(said):
            lines += wrap(f"{verdict.value}: {note}", INDENT, INDENT + "    ")
    for line in coverage_lines(result):
        lines += wrap(line, INDENT, INDENT + "    ")
    for warning in coverage_warnings(result):
        lines += wrap(f"warning: {warning}", INDENT, INDENT + "    ")
    lines += wrap(statistics_text(result, timings), INDENT, INDENT + "    ")
    return "\n".join(lines) + "\n"


def invariants(result: CheckResult) -> str:
    """What each proof rests on, in the spec's names, in 72 columns."""
    lines = []
    for prop in result.properties:
        if prop.verdict is not Verdict.PROVED:
            continue
        lines += wrap(f"{prop.property.value} is proved by {prop.note}", INDENT, INDENT + "    ")
        if not prop.invariant:
            lines += wrap("(no invariant needed: no step from any state can violate it)", INDENT * 2)
        for fact in prop.invariant:
            lines += wrap(f"- {fact}", INDENT * 2, INDENT * 2 + "  ")
    return "\n".join(lines) if lines else f"{INDENT}(no proof to show)"


def render(result: CheckResult, *, timings: bool = True) -> str:
    """The whole report of one spec."""
    parts = [heading(result.strategy, result.spec, result.model, result.bounds.describe())]
    parts += [violation(p) for p in result.properties if p.trace is not None]
    parts.append(summary(result, timings=timings))
    return "\n".join(parts)


def render_plain(results: list[CheckResult], *, timings: bool = True, unloaded=()) -> str:
    text = "\n".join(render(r, timings=timings) for r in results)
    return text + ("\n" + "\n".join(unloaded_lines(unloaded)) if unloaded else "")
