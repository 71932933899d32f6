"""SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, IDE viewers).

One rule per property. One result per violated property, located at the
culprit statement of the spec (provenance.py), with the counterexample as
a codeFlow whose threadFlow visits one location per event: nestingLevel is
the task's frame depth and `state` holds PKRS and every storage cell after
the event, so a viewer steps through the trace as through a debugger. A
property left unknown is a result of kind "open" (a limit was hit first);
a coverage warning is a "warning" result at the spec. Properties that hold
produce no result: SARIF reports findings, and the run lists what was
checked in its properties.
"""
from __future__ import annotations

import json
from pathlib import PurePath

from .. import __version__
from ..front import ir
from ..result import CheckResult, PropertyResult, SourceRef, Trace, Verdict
from .common import coverage_warnings

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
RULES = tuple(ir.Property)
COVERAGE_RULE = "coverage"


def render_sarif(results: list[CheckResult], *, timings: bool = True) -> str:
    del timings  # nothing in SARIF depends on time
    artifacts = artifacts_of(r.spec for r in results)
    out = []
    for result in results:
        for prop in result.properties:
            if prop.verdict is Verdict.VIOLATED:
                out.append(_violation(result, prop, artifacts))
            elif prop.verdict is Verdict.UNKNOWN:
                out.append(_unknown(result, prop, artifacts))
        out += [_coverage(result, warning, artifacts) for warning in coverage_warnings(result)]
    checked = [{"spec": r.spec, "strategy": r.strategy, "bounds": r.bounds.describe(), "stop": r.stop.name.lower(),
                "verdicts": {p.property.value: p.verdict.value for p in r.properties}} for r in results]
    return sarif_log([_rule(p) for p in RULES] + [_coverage_rule()], out, artifacts, {"checked": checked})


def sarif_log(rules: list[dict], results: list[dict], artifacts: list[str], properties: dict | None = None) -> str:
    """One SARIF run of pkrsverify: its rules, its results, the specs it read."""
    run = {
        "tool": {"driver": {"name": "pkrsverify", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "artifacts": [{"location": {"uri": uri}, "roles": ["analysisTarget"]} for uri in artifacts],
        "results": results,
        "invocations": [{"executionSuccessful": True}],
    }
    if properties:
        run["properties"] = properties
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def artifacts_of(paths) -> list[str]:
    return list(dict.fromkeys(_uri(path) for path in paths))


def _uri(path: str) -> str:
    """A relative URI as the spec was named (SARIF wants forward slashes and no `./`)."""
    posix = PurePath(path).as_posix()
    return posix[2:] if posix.startswith("./") else posix


def _rule(prop: ir.Property) -> dict:
    return {"id": prop.value, "name": "".join(w.title() for w in prop.value.split("_")),
            "shortDescription": {"text": prop.meaning},
            "fullDescription": {"text": f"{prop.value}: {prop.meaning} (docs/semantics.md, Properties)."},
            "defaultConfiguration": {"level": "error"}}


def _coverage_rule() -> dict:
    return {"id": COVERAGE_RULE, "name": "Coverage",
            "shortDescription": {"text": "a declared entry kind or handler was never reached"},
            "fullDescription": {"text": "A verdict over a model that never reaches part of the spec may be "
                                        "vacuous: the search never exercised it."},
            "defaultConfiguration": {"level": "warning"}}


def sarif_location(ref: SourceRef, artifacts: list[str]) -> dict:
    return {"physicalLocation": _physical(ref, artifacts)}


def _physical(ref: SourceRef, artifacts: list[str]) -> dict:
    uri = _uri(ref.path)
    location: dict = {"artifactLocation": {"uri": uri}}
    if uri in artifacts:
        location["artifactLocation"]["index"] = artifacts.index(uri)
    location["region"] = {"startLine": ref.line, "startColumn": ref.column, "endLine": ref.end_line,
                          "endColumn": ref.end_column, "snippet": {"text": ref.text}}
    return location


def _spec_location(result: CheckResult, artifacts: list[str]) -> dict:
    uri = _uri(result.spec)
    return {"physicalLocation": {"artifactLocation": {"uri": uri, "index": artifacts.index(uri)}}}


def _violation(result: CheckResult, prop: PropertyResult, artifacts: list[str]) -> dict:
    trace = prop.trace
    message = f"{result.strategy}: {prop.property.value} violated in {trace.length} events: {trace.explanation}"
    if trace.culprit:
        message += f". Culprit: {trace.culprit}."
    culprit = trace.location
    location = ({"physicalLocation": _physical(culprit, artifacts), "message": {"text": trace.blame[0].message}}
                if culprit else _spec_location(result, artifacts))
    others = [b for b in trace.blame if b.location is not None][1:]  # the first is the result's location
    related = [{"id": i, "physicalLocation": _physical(b.location, artifacts),
                "message": {"text": f"step {b.step}: {b.message}" if b.step else b.message}}
               for i, b in enumerate(others)]
    return {
        "ruleId": prop.property.value, "ruleIndex": RULES.index(prop.property), "kind": "fail", "level": "error",
        "message": {"text": message},
        "locations": [location],
        **({"relatedLocations": related} if related else {}),
        "codeFlows": [_code_flow(result, trace, artifacts)],
        "partialFingerprints": {"pkrsverify/v1": f"{result.strategy}:{prop.property.value}"},
        "properties": {"strategy": result.strategy, "bounds": result.bounds.describe(), "length": trace.length},
    }


def _code_flow(result: CheckResult, trace: Trace, artifacts: list[str]) -> dict:
    locations = []
    for step in trace.steps:
        text = f"{step.number}. cpu {step.cpu}, task {step.task}: {step.event} (PKRS {step.pkrs})"
        location: dict = {"message": {"text": text}}
        if step.statements:
            # The first statement the event ran: the save on an entry, the restore on an exit.
            location["physicalLocation"] = _physical(step.statements[0], artifacts)
        flow = {"location": location, "executionOrder": step.number, "nestingLevel": step.nesting,
                "state": {name: {"text": value} for name, value in step.state}}
        if step.event.startswith("enter"):
            flow["kinds"] = ["call"]
        elif step.event.startswith("exit"):
            flow["kinds"] = ["return"]
        if step.number == trace.length:
            flow["importance"] = "essential"
        locations.append(flow)
    return {"message": {"text": trace.explanation},
            "threadFlows": [{"id": "trace", "message": {"text": f"{trace.length} events from boot"},
                             "locations": locations}]}


def _unknown(result: CheckResult, prop: PropertyResult, artifacts: list[str]) -> dict:
    # SARIF: a result whose kind is not "fail" has level "none".
    return {"ruleId": prop.property.value, "ruleIndex": RULES.index(prop.property), "kind": "open", "level": "none",
            "message": {"text": f"{result.strategy}: {prop.property.value} not decided: {prop.note}"},
            "locations": [_spec_location(result, artifacts)]}


def _coverage(result: CheckResult, warning: str, artifacts: list[str]) -> dict:
    return {"ruleId": COVERAGE_RULE, "ruleIndex": len(RULES), "kind": "fail", "level": "warning",
            "message": {"text": f"{result.strategy}: {warning}"},
            "locations": [_spec_location(result, artifacts)]}
