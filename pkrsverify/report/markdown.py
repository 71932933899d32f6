"""Markdown for pull requests: verdict tables, and each counterexample as a
step table, a Mermaid sequence diagram (which GitHub and GitLab render) and,
beside it, the swim-lane picture (svg.py).

In the diagram each task is a participant whose activation bar is its
nesting: an entry activates it, an exit deactivates it, so a nested entry
that overwrites a saved value shows as a bar inside a bar.

The picture is an `<img>` whose source is a `data:` URI of the SVG, so that
the report stays one file: VS Code's and GitLab's previews, pandoc and most
Markdown viewers show it. GitHub drops `data:` images (and inline `<svg>`);
there the Mermaid diagram above it tells the same story, and `--picture` or
`--format html` give the picture as a file.
"""
from __future__ import annotations

import base64

from ..result import CheckResult, PropertyResult, Trace, Verdict
from . import svg
from .common import changes, coverage_lines, coverage_warnings, fatal_note, statistics_text, unloaded_lines

VERDICT = {Verdict.VIOLATED: "**violated**", Verdict.HOLDS: "holds", Verdict.PROVED: "proved",
           Verdict.UNKNOWN: "unknown"}


def cell(text: str) -> str:
    """Text safe inside a table cell (or a list item): no column breaks, no emphasis."""
    return text.replace("|", "\\|").replace("*", "\\*").replace("\n", "<br>")


def render_markdown(results: list[CheckResult], *, timings: bool = True, unloaded=()) -> str:
    return "\n".join(result_section(r, timings=timings) for r in results) + unloaded_section(unloaded)


def unloaded_section(unloaded) -> str:
    """The specs that could not be checked, their diagnostics in a code block."""
    if not unloaded:
        return ""
    return "\n## Not checked\n\n```text\n" + "\n".join(unloaded_lines(unloaded)).rstrip() + "\n```\n"


def result_section(result: CheckResult, *, timings: bool = True) -> str:
    lines = [f"## `{result.strategy}`", "",
             f"Spec `{result.spec}`, model `{result.model}`, {result.bounds.describe()}.", ""]
    lines += ["| property | verdict | counterexample |", "|---|---|---|"]
    notes: dict[str, None] = {}
    for prop in result.properties:
        length = f"{prop.trace.length} events" if prop.trace else ""
        verdict = VERDICT[prop.verdict] + (f" {prop.scope.words()}" if prop.verdict is Verdict.PROVED
                                           and prop.scope.every else "")
        lines.append(f"| `{prop.property.value}` | {verdict} | {length} |")
        if prop.trace is None and prop.note:
            notes[f"{prop.verdict.value}: {prop.note}"] = None
    lines.append("")
    lines += [f"_{note}_" for note in notes] + ([""] if notes else [])
    for prop in result.properties:
        if prop.trace is not None:
            lines += counterexample(prop, result)
    lines += coverage_section(result)
    lines += [f"<sub>{statistics_text(result, timings)}</sub>", ""]
    return "\n".join(lines)


def coverage_section(result: CheckResult) -> list[str]:
    lines = [f"- {line}" for line in coverage_lines(result)]
    lines += [f"- **warning:** {warning}" for warning in coverage_warnings(result)]
    return ["**Coverage**", "", *lines, ""] if lines else []


def counterexample(result: PropertyResult, checked: CheckResult) -> list[str]:
    trace = result.trace
    lines = [f"### `{result.property.value}` violated in {trace.length} events", "",
             f"_{result.property.meaning}_", "",
             f"| step | cpu | task | event | {trace.register} | storage changed |", "|---:|---:|---:|---|---|---|"]
    for step, level in zip(trace.steps, levels(trace)):
        event = "&nbsp;&nbsp;" * level + step.event
        changed = "<br>".join(f"`{c}`" for c in changes(step))
        lines.append(f"| {step.number} | {step.cpu} | {step.task} | {cell(event)} | {step.pkrs} | {cell(changed)} |")
    lines += [""] + [f"_{note}_" for note in fatal_note(trace)] + [""] * bool(fatal_note(trace))
    lines += [f"**What went wrong:** {trace.explanation}", ""]
    if trace.culprit:
        lines += [f"**Culprit:** {trace.culprit}", ""]
    lines += ["```mermaid", *sequence_diagram(result), "```", ""]
    lines += [picture(result, checked), ""]
    return lines


def picture(result: PropertyResult, checked: CheckResult) -> str:
    """The swim-lane picture as an image that needs no file beside the report (see the module's note)."""
    drawn = svg.picture(checked, result, ident="pk").svg()
    data = base64.b64encode(drawn.encode("utf-8")).decode("ascii")
    alt = f"{checked.strategy}: {result.property.value} counterexample as swim lanes, one per CPU"
    return f'<img alt="{cell(alt)}" src="data:image/svg+xml;base64,{data}">'


def levels(trace: Trace) -> list[int]:
    """How deep each event sits in its task's nesting (an exit at the level it returns to)."""
    out, depths = [], {}
    for step in trace.steps:
        before = depths.get(step.task, 0)
        out.append(max(before - 1 if step.event.startswith("exit") else before, 0))
        depths[step.task] = step.nesting
    return out


def _mermaid(text: str) -> str:
    # `;` and `#` end a Mermaid statement or start an entity; arrows in the
    # text would read as arrows.
    return text.replace(";", ",").replace("#", "nr ").replace("->", "→").replace("<", "‹").replace(">", "›")


def sequence_diagram(result: PropertyResult) -> list[str]:
    trace = result.trace
    tasks = sorted({s.task for s in trace.steps} | {_target(s.event) for s in trace.steps} - {None})
    cpus = sorted({s.cpu for s in trace.steps})
    lines = ["sequenceDiagram"]
    lines += [f"    participant T{t} as task {t}" for t in tasks]
    lines += [f"    participant C{c} as cpu {c}" for c in cpus]
    last = len(trace.steps)
    for step in trace.steps:
        t, c = f"T{step.task}", f"C{step.cpu}"
        if step.number == last:
            lines.append("    rect rgb(255, 225, 225)")
        pkrs = "none, BUG()" if step.pkrs == "-" else step.pkrs
        text = _mermaid(f"{step.number}. {step.event}, {trace.register} = {pkrs}")
        fatal = step.pkrs == "-"
        if step.event.startswith("enter"):
            lines.append(f"    {t}-x{t}: {text}" if fatal else f"    {t}->>+{t}: {text}")
        elif step.event.startswith("exit"):
            lines.append(f"    {t}-x{t}: {text}" if fatal else f"    {t}-->>-{t}: {text}")
        elif step.event.startswith("write"):
            lines.append(f"    {t}->>{c}: {text}")
        elif step.event.startswith("dispatch"):
            lines.append(f"    {c}->>{t}: {text}")
        else:  # schedule / preempt: to the task switched in, or to the idle CPU
            target = _target(step.event)
            lines.append(f"    T{step.task}->>{c if target is None else f'T{target}'}: {text}")
        for change in changes(step):
            lines.append(f"    Note over {t}: {_mermaid(change)}")
        if step.number == last:
            lines.append(f"    Note over {t},{c}: {_mermaid(result.property.value + ' violated: ' + trace.explanation)}")
            lines.append("    end")
    return lines


def _target(event: str) -> int | None:
    """The task a schedule, preempt or dispatch switches in, if any."""
    words = event.split()
    if words[0] in ("schedule", "preempt", "dispatch") and words[-2] == "task":
        return int(words[-1])
    return None
