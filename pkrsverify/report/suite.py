"""`test` in every format: each spec's expectations, met, contradicted (MISMATCH) or undecided.

Plain text is one block per spec (its label, then every expectation not
met, wrapped to 72 columns) and a summary line; JUnit has a testcase per
expectation; SARIF a result per contradicted expectation at its `expect`
line, so a code-scanning view points at the line a change made false.
"""
from __future__ import annotations

import json
from html import escape

from rich.text import Text

from ..analyses.judge import Outcome, SpecOutcome, expected
from ..explain.words import source_ref
from .junit import Case, render_suites
from .markdown import cell
from .plain import unbroken, wrap
from .common import unloaded_json, unloaded_lines
from .markdown import unloaded_section
from .page import page, table
from .page import unloaded_section as unloaded_html
from .sarif import Artifacts, diagnostic_results, diagnostic_rules, sarif_location, sarif_log

LABEL = {Outcome.MET: "PASS", Outcome.MISMATCH: "FAIL", Outcome.UNDECIDED: "UNDECIDED"}
STYLE = {Outcome.MET: "green", Outcome.MISMATCH: "bold red", Outcome.UNDECIDED: "yellow"}


def spec_lines(outcome: SpecOutcome) -> list[str]:
    """One spec's block: its label, then every expectation not met, wrapped to 72 columns."""
    if outcome.result is None:
        return wrap(f"SKIP       {outcome.path} ({outcome.strategy}): no `expect` lines", "", "           ")
    counts = {o: sum(j.outcome is o for j in outcome.judgements) for o in Outcome}
    said = ", ".join(unbroken(f"{n} {o.value}") for o, n in counts.items() if n)
    if said == unbroken(f"{len(outcome.judgements)} met"):
        said = unbroken(f"{len(outcome.judgements)} expectations met")
    head = f"{LABEL[outcome.outcome]:<10} {outcome.path} {unbroken(f'({outcome.strategy}):')} {said}"
    lines = wrap(head, "", "           ")
    if outcome.result.bounds != outcome.spec_bounds and outcome.outcome is not Outcome.MET:
        lines += wrap(f"run at {outcome.result.bounds.describe()}; the spec's bounds: "
                      f"{outcome.spec_bounds.describe()}", "           ", "             ")
    undecided: dict[str, list[str]] = {}  # said once for every expectation undecided for one reason
    for judgement in outcome.judgements:
        if judgement.outcome is Outcome.MISMATCH:
            lines += wrap(f"{LABEL[judgement.outcome]}: {judgement.describe()}", "           ", "             ")
        elif judgement.outcome is Outcome.UNDECIDED:
            reason = judgement.actual + (f" ({judgement.why})" if judgement.why else "")
            undecided.setdefault(reason, []).append(unbroken(expected(judgement.expectation)))
    for reason, expectations in undecided.items():
        lines += wrap(f"UNDECIDED: {', '.join(expectations)}: {reason}", "           ", "             ")
    return lines


def rich_lines(outcome: SpecOutcome) -> list[Text]:
    """The same block for a terminal: the label in colour, the details dimmed."""
    lines = spec_lines(outcome)
    if outcome.outcome is None:
        return [Text(line) for line in lines]
    first = Text(lines[0])
    first.stylize(STYLE[outcome.outcome], 0, len(LABEL[outcome.outcome]))
    return [first, *(Text(line, style="dim") for line in lines[1:])]


def summary(outcomes: list[SpecOutcome], unloaded=()) -> str:
    counts = {o: sum(s.outcome is o for s in outcomes) for o in Outcome}
    skipped = sum(s.result is None for s in outcomes)
    text = (f"{counts[Outcome.MET]} passed, {counts[Outcome.MISMATCH]} failed, "
            f"{counts[Outcome.UNDECIDED]} undecided")
    text += f", {skipped} without expectations" if skipped else ""
    return text + (f", {len(unloaded)} not checked (errors in the input)" if unloaded else "")


def render_text(outcomes: list[SpecOutcome], *, timings: bool = True, unloaded=()) -> str:
    lines = [line for o in outcomes for line in spec_lines(o)]
    return "\n".join(lines + [summary(outcomes, unloaded)] + ([""] + unloaded_lines(unloaded) if unloaded else [])) \
        + "\n"


def render_junit(outcomes: list[SpecOutcome], *, timings: bool = True, unloaded=()) -> str:
    suites = []
    for outcome in outcomes:
        if outcome.result is None:
            continue
        cases = []
        for j in outcome.judgements:
            name = expected(j.expectation)
            if j.outcome is Outcome.MET:
                cases.append(Case(name, "passed"))
            elif j.outcome is Outcome.MISMATCH:
                cases.append(Case(name, "failed", j.describe()))
            else:
                cases.append(Case(name, "skipped", j.describe()))
        suites.append((outcome.result, cases))
    return render_suites(suites, timings=timings, unloaded=unloaded)


def render_json(outcomes: list[SpecOutcome], *, timings: bool = True, unloaded=()) -> str:
    specs = []
    for o in outcomes:
        spec = {"spec": o.path, "strategy": o.strategy, "outcome": o.outcome.value if o.outcome else "skipped",
                "spec_bounds": o.spec_bounds.describe(),
                "run_bounds": o.result.bounds.describe() if o.result else None,
                "expectations": [{"expect": expected(j.expectation), "line": j.expectation.span.line,
                                  "outcome": j.outcome.value, "actual": j.actual, "why": j.why}
                                 for j in o.judgements]}
        if timings and o.result is not None:
            spec["seconds"] = round(o.result.statistics.seconds, 3)
        specs.append(spec)
    return json.dumps({"schema": "pkrsverify-suite", "version": 1, "specs": specs,
                       "unloaded": unloaded_json(unloaded), "summary": summary(outcomes, unloaded)},
                      indent=2) + "\n"


def render_markdown(outcomes: list[SpecOutcome], *, timings: bool = True, unloaded=()) -> str:
    rows = ["| spec | outcome | expectation | found |", "|---|---|---|---|"]
    for o in outcomes:
        if o.result is None:
            rows.append(f"| `{cell(o.path)}` | skipped | no `expect` lines | |")
        for j in o.judgements:
            label = LABEL[j.outcome] if j.outcome is not Outcome.MISMATCH else "**FAIL**"
            rows.append(f"| `{cell(o.path)}` | {label} | `{cell(expected(j.expectation))}` | "
                        f"{cell(j.actual + (f' ({j.why})' if j.why else ''))} |")
    return "\n".join(["## Expectations", "", *rows, "", summary(outcomes, unloaded)]) + "\n" + \
        unloaded_section(unloaded)


def render_sarif(outcomes: list[SpecOutcome], *, timings: bool = True, unloaded=(), root: str | None = None) -> str:
    artifacts = Artifacts(root)
    results = []
    for o in outcomes:
        for j in o.judgements:
            if j.outcome is Outcome.MET:
                continue
            location = sarif_location(source_ref(j.expectation.span), artifacts)
            if j.outcome is Outcome.MISMATCH:
                results.append({"ruleId": "expectation", "kind": "fail", "level": "error",
                                "message": {"text": f"{o.strategy}: {j.describe()}"}, "locations": [location]})
            else:
                results.append({"ruleId": "expectation", "kind": "open", "level": "none",
                                "message": {"text": f"{o.strategy}: {j.describe()}"}, "locations": [location]})
    results += diagnostic_results(unloaded, artifacts)
    rules = [{"id": "expectation", "shortDescription": {"text": "a spec's `expect` line holds of the design"}}]
    return sarif_log(rules + diagnostic_rules(unloaded), results, artifacts)


def render_html(outcomes: list[SpecOutcome], *, timings: bool = True, unloaded=(), sources=()) -> str:
    """The markdown table as a page: a row per expectation, the specs' text and their SHA-256 below."""
    rows = []
    for o in outcomes:
        if o.result is None:
            rows.append([f"<code>{escape(o.path)}</code>", "skipped", "no <code>expect</code> lines", ""])
        for j in o.judgements:
            style = {Outcome.MET: "ok", Outcome.MISMATCH: "fail"}.get(j.outcome, "")
            rows.append([f"<code>{escape(o.path)}</code>", (LABEL[j.outcome], style),
                         f"<code>{escape(expected(j.expectation))}</code> (line {j.expectation.span.line})",
                         escape(j.actual + (f" ({j.why})" if j.why else ""))])
    body = ["<h1>pkrsverify test</h1>", table(["spec", "outcome", "expectation", "found"], rows, "verdicts"),
            f"<p><strong>{escape(summary(outcomes, unloaded))}</strong></p>", *unloaded_html(unloaded)]
    return page("pkrsverify test", body, tuple(sources))
