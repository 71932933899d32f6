"""JUnit XML, for CI dashboards: a testsuite per spec, a testcase per property.

`check`: a violated property is a failure (its message the explanation, its
text the plain counterexample), an unknown one is skipped with the limit
that stopped it, a holding one passes. `test`: the same shape, but a
testcase fails when the verdict contradicts the spec's `expect` line (see
judge.py), and an undecided expectation is skipped.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..result import CheckResult, Verdict
from . import plain
from .common import coverage_lines, coverage_warnings, statistics_text


@dataclass(frozen=True, slots=True)
class Case:
    """One testcase: what a CI dashboard shows per line."""

    name: str
    outcome: str          # "passed", "failed", "skipped"
    message: str = ""
    text: str = ""


def render_junit(results: list[CheckResult], *, timings: bool = True, unloaded=()) -> str:
    """`check`'s verdicts as tests."""
    suites = []
    for result in results:
        cases = []
        for prop in result.properties:
            if prop.verdict is Verdict.VIOLATED:
                cases.append(Case(prop.property.value, "failed", f"violated in {prop.trace.length} events: "
                                  f"{prop.trace.explanation}", plain.violation(prop)))
            elif prop.verdict is Verdict.UNKNOWN:
                cases.append(Case(prop.property.value, "skipped", f"undecided: {prop.note}"))
            else:
                cases.append(Case(prop.property.value, "passed"))
        suites.append((result, cases))
    return render_suites(suites, timings=timings, unloaded=unloaded)


def render_suites(suites: list[tuple[CheckResult, list[Case]]], *, timings: bool = True, unloaded=()) -> str:
    root = ET.Element("testsuites", name="pkrsverify")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    add_unloaded(root, unloaded, totals)
    for result, cases in suites:
        counts = {"tests": len(cases), "failures": sum(c.outcome == "failed" for c in cases), "errors": 0,
                  "skipped": sum(c.outcome == "skipped" for c in cases)}
        for key, value in counts.items():
            totals[key] += value
        suite = ET.SubElement(root, "testsuite", name=result.strategy, **{k: str(v) for k, v in counts.items()})
        if timings:
            suite.set("time", f"{result.statistics.seconds:.3f}")
        properties = ET.SubElement(suite, "properties")
        for name, value in (("spec", result.spec), ("model", result.model), ("bounds", result.bounds.describe()),
                            ("engine", result.engine), ("stop", result.stop.name.lower())):
            ET.SubElement(properties, "property", name=name, value=value)
        for case in cases:
            element = ET.SubElement(suite, "testcase", name=case.name, classname=f"pkrsverify.{result.strategy}",
                                    file=result.spec)
            if case.outcome == "failed":
                failure = ET.SubElement(element, "failure", message=case.message, type="violated")
                failure.text = case.text or case.message
            elif case.outcome == "skipped":
                ET.SubElement(element, "skipped", message=case.message)
        out = [*coverage_lines(result), *(f"warning: {w}" for w in coverage_warnings(result)),
               statistics_text(result, timings)]
        ET.SubElement(suite, "system-out").text = "\n".join(out) + "\n"
    return finish(root, totals)


def add_unloaded(root: ET.Element, unloaded, totals: dict) -> None:
    """A spec that could not be checked: a suite with one errored testcase, its diagnostics as text."""
    for failure in unloaded:
        suite = ET.SubElement(root, "testsuite", name=failure.path, tests="1", failures="0", errors="1",
                              skipped="0")
        case = ET.SubElement(suite, "testcase", name="load", classname="pkrsverify.input", file=failure.path)
        first = failure.diagnostics[0]
        error = ET.SubElement(case, "error", message=f"{first.code.id}: {first.message}", type="input")
        error.text = "\n".join(d.render() for d in failure.diagnostics) + "\n"
        totals["tests"] += 1
        totals["errors"] += 1


def finish(root: ET.Element, totals: dict) -> str:
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
