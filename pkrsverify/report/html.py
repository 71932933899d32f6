"""HTML for `check` and `compare`: one standalone page (page.py) with the verdict table, the review
figures, every counterexample as its swim-lane picture (svg.py, inline) beside its step table, and the
specs' text with the culprit lines marked.

A step table row and the picture's column of the same event carry the same `data-step`, which is all
the page's step-through needs. The culprit steps carry the numbers of the picture's markers.
"""
from __future__ import annotations

from html import escape

from ..result import CheckResult, PropertyResult, Verdict
from . import comparison, svg
from .common import SpecText, changes, coverage_lines, coverage_warnings, fatal_note, statistics_text, verdict_text
from .markdown import levels
from .page import page, spec_id, table, unloaded_section


class _Traces:
    """Every counterexample of the page, each with its anchor (`t1`, `t2`, ...)."""

    def __init__(self, results: list[CheckResult]):
        self.ids: dict[tuple[int, str], str] = {}
        for r, result in enumerate(results):
            for prop in result.properties:
                if prop.trace is not None:
                    self.ids[(r, prop.property.value)] = f"t{len(self.ids) + 1}"

    def link(self, r: int, prop: PropertyResult, text: str) -> str:
        anchor = self.ids.get((r, prop.property.value))
        return f'<a href="#{anchor}">{escape(text)}</a>' if anchor else escape(text)


def render_html(results: list[CheckResult], *, timings: bool = True, unloaded=(), sources=()) -> str:
    traces = _Traces(results)
    names = ", ".join(r.strategy for r in results) or "nothing checked"
    body = [f"<h1>pkrsverify check: {escape(names)}</h1>", _summary(results)]
    for r, result in enumerate(results):
        body += _design(r, result, traces, timings)
    body += _counterexamples(results, traces, tuple(sources))
    body += unloaded_section(unloaded)
    return page(f"pkrsverify check: {names}", body, tuple(sources), culprits=culprit_lines(results))


def render_html_comparison(results: list[CheckResult], *, all_traces: bool = False, unloaded=(),
                           sources=()) -> str:
    """Every counterexample, not only each design's shortest (`all_traces` chooses for the text report;
    a page has room, and its index links each FAIL cell to its picture)."""
    del all_traces
    traces = _Traces(results)
    verdicts, reviews = comparison.rows(results)
    body = [f"<h1>pkrsverify compare: {len(results)} designs</h1>", _summary(results), "<h2>Verdicts</h2>"]
    rows = []
    for r, (result, row) in enumerate(zip(results, verdicts)):
        cells = [f"<strong>{escape(row[0].text)}</strong>"]
        for prop, cell in zip(comparison.columns(results), row[1:]):
            found = result.result_for(prop)
            html = traces.link(r, found, cell.text) if found is not None else escape(cell.text)
            cells.append((html, "fail" if cell.text.startswith("FAIL") else "ok" if cell.text == "ok" else ""))
        rows.append(cells)
    body += [table(comparison.verdict_head(results), rows, "verdicts"),
             f'<p class="legend">{escape(comparison.legend(results))}</p>']
    body += [f'<p class="note">{escape(line)}</p>' for line in comparison.bounds_line(results)]
    if reviews:
        body += ["<h2>Review figures</h2>",
                 table(comparison.REVIEW_HEAD, [[escape(c.text) for c in row] for row in reviews], "review"),
                 f'<p class="legend">{escape(comparison.REVIEW_LEGEND)}</p>']
        body += [f'<p class="note">{escape(note)}</p>' for note in comparison.notes(results)]
        body += [f"<p><strong>{escape(comparison.FOUND)}</strong></p><ul>"]
        body += [f"<li>{escape(note)}</li>" for note in comparison.found_notes(results)] + ["</ul>"]
        if comparison.register_notes(results):
            body += [f"<p><strong>{escape(comparison.PER_REGISTER)}</strong></p><ul>"]
            body += [f"<li>{escape(note)}</li>" for note in comparison.register_notes(results)] + ["</ul>"]
    body += _counterexamples(results, traces, tuple(sources))
    body += unloaded_section(unloaded)
    return page(f"pkrsverify compare: {len(results)} designs", body, tuple(sources),
                culprits=culprit_lines(results))


def culprit_lines(results: list[CheckResult]) -> dict[tuple[str, int], list[str]]:
    """Each spec line a counterexample blames, and what for: `no_lost 1: saved (step 2)`."""
    out: dict[tuple[str, int], list[str]] = {}
    for result in results:
        for prop in result.properties:
            if prop.trace is None:
                continue
            for number, blame in svg.numbered(prop.trace.blame):
                if blame.location is None:
                    continue
                step = f" (step {blame.step})" if blame.step else ""
                for line in range(blame.location.line, blame.location.end_line + 1):
                    out.setdefault((blame.location.path, line), []).append(
                        f"{result.strategy} {prop.property.value} {number}: {blame.role}{step}")
    return out


def _summary(results: list[CheckResult]) -> str:
    violated = sum(p.verdict is Verdict.VIOLATED for r in results for p in r.properties)
    total = sum(len(r.properties) for r in results)
    return f'<p class="note">{violated} of {total} properties violated in {len(results)} spec(s).</p>'


def _design(r: int, result: CheckResult, traces: _Traces, timings: bool) -> list[str]:
    out = [f'<section class="design" id="design-{r + 1}"><h2>{escape(result.strategy)}</h2>',
           f'<p>Spec <code>{escape(result.spec)}</code>, model <code>{escape(result.model)}</code>, '
           f"{escape(result.bounds.describe())}, {escape(result.engine)} engine.</p>"]
    rows = []
    for prop in result.properties:
        text = verdict_text(prop)
        style = "fail" if prop.verdict is Verdict.VIOLATED else "ok" if prop.verdict in (Verdict.HOLDS,
                                                                                        Verdict.PROVED) else ""
        note = escape(prop.note) if prop.trace is None else ""
        rows.append([f"<code>{prop.property.value}</code>", (traces.link(r, prop, text), style),
                     escape(prop.property.meaning), note])
    out.append(table(["property", "verdict", "holds when", "note"], rows, "verdicts"))
    if result.review is not None:
        out.append("<h3>Review figures</h3>")
        out.append(table(comparison.REVIEW_HEAD[1:], [[escape(c.text) for c in comparison.review_cells(result.review)]],
                         "review"))
        out.append(f'<p class="legend">{escape(comparison.REVIEW_LEGEND)}</p>')
        out += [f'<p class="note">{escape(note)}</p>' for note in comparison.notes([result])]
        out.append(f'<p class="note">{escape(comparison.FOUND)} {escape(result.review.findable_why)}</p>')
    lines = coverage_lines(result)
    warnings = coverage_warnings(result)
    if lines or warnings:
        out.append("<h3>Coverage</h3><ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines)
                   + "".join(f'<li class="warning">{escape(w)}</li>' for w in warnings) + "</ul>")
    out.append(f'<p class="stats">{escape(statistics_text(result, timings))}</p></section>')
    return out


def _counterexamples(results: list[CheckResult], traces: _Traces, sources: tuple[SpecText, ...]) -> list[str]:
    out = []
    for r, result in enumerate(results):
        for prop in result.properties:
            anchor = traces.ids.get((r, prop.property.value))
            if anchor is not None:
                out += _counterexample(result, prop, anchor, sources)
    return (["<h2>Counterexamples</h2>"] + out) if out else []


def _counterexample(result: CheckResult, prop: PropertyResult, anchor: str,
                    sources: tuple[SpecText, ...]) -> list[str]:
    trace = prop.trace
    picture = svg.picture(result, prop, ident=anchor)
    marks = {b.step: [] for _, b in svg.numbered(trace.blame)}
    for number, blame in svg.numbered(trace.blame):
        marks[blame.step].append(f'<span class="badge">{number}</span>{escape(blame.role)}')
    spec = spec_id(sources, result.spec)
    rows = []
    for step, level in zip(trace.steps, levels(trace)):
        statements = ", ".join(_line_link(spec, ref.line) for ref in step.statements)
        cls = " ".join(c for c in ("culprit" if step.number in marks else "",
                                   "broken" if step.number == trace.length else "") if c)
        rows.append(f'<tr data-step="{step.number}" data-event="{escape(step.event)}"'
                    + (f' class="{cls}"' if cls else "") + ">"
                    f"<td>{step.number}</td><td>{step.cpu}</td><td>{step.task}</td>"
                    f'<td style="padding-left: {0.55 + 1.2 * level:.2f}em">{escape(step.event)}</td>'
                    f"<td>{escape(step.pkrs)}</td><td>{'<br>'.join(escape(c) for c in changes(step))}</td>"
                    f"<td>{statements}</td><td>{' '.join(marks.get(step.number, []))}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("step", "cpu", "task", "event", escape(trace.register), "storage changed",
                                              "spec lines run", "culprit"))
    missing = [f'<li><span class="badge">{n}</span>{escape(b.role)}: {escape(b.message)}'
               + (f" ({_line_link(spec, b.location.line, 'line ')})" if b.location else "") + "</li>"
               for n, b in svg.numbered(trace.blame) if not b.step]
    return [f'<section class="trace" id="{anchor}" tabindex="0">',
            f"<h3>{escape(result.strategy)}: <code>{prop.property.value}</code> violated in {trace.length} events</h3>",
            f'<p class="note">{escape(prop.property.meaning)} (<code>{escape(result.spec)}</code>)</p>',
            f'<figure>{picture.svg(standalone=False)}<figcaption>The counterexample as swim lanes: one lane per '
            "CPU, each entry a box inside the frame it interrupted, PKRS in the box that runs; the numbered "
            "markers are the culprit statements.</figcaption></figure>",
            '<p class="status" aria-live="polite"></p>',
            f'<table class="steps"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>',
            *[f'<p class="note">{escape(note)}</p>' for note in fatal_note(trace)],
            f"<p><strong>What went wrong:</strong> {escape(trace.explanation)}</p>",
            *([f"<p><strong>Culprit:</strong> {escape(trace.culprit)}</p>"] if trace.culprit else []),
            *([f"<ul>{''.join(missing)}</ul>"] if missing else []), "</section>"]


def _line_link(spec: str | None, line: int, prefix: str = "") -> str:
    return f'<a href="#{spec}-L{line}">{prefix}{line}</a>' if spec else f"{prefix}{line}"
