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
import os
from pathlib import Path, PurePath

from .. import __version__
from ..front import ir
from ..result import CheckResult, PropertyResult, SourceRef, Trace, Unloaded, Verdict
from .common import coverage_warnings

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
COVERAGE_RULE = "coverage"
ROOT = "%SRCROOT%"  # the base id GitHub code scanning resolves to the repository's root


class Artifacts:
    """The specs a log names, each as a URI relative to `root` (the repository's top level, else the working
    directory), so that a viewer finds the file whichever directory pkrsverify ran in. A spec outside
    the root is named by an absolute file URI."""

    def __init__(self, root: str | None):
        self.root = os.path.abspath(root) if root else None
        self.uris: list[str] = []

    def location(self, path: str) -> dict:
        uri, based = self._uri(path)
        if uri not in self.uris:
            self.uris.append(uri)
        out = {"uri": uri, "index": self.uris.index(uri)}
        return out | ({"uriBaseId": ROOT} if based else {})

    def _uri(self, path: str) -> tuple[str, bool]:
        if self.root is None or path.startswith("<"):  # no root given; a built-in model
            posix = PurePath(path).as_posix()
            return (posix[2:] if posix.startswith("./") else posix), False
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, self.root)
        if relative.startswith(".."):
            return Path(absolute).as_uri(), False
        return PurePath(relative).as_posix(), True

    def listing(self) -> list[dict]:
        based = {uri for uri in self.uris if not uri.startswith("file:")}
        return [{"location": {"uri": uri} | ({"uriBaseId": ROOT} if uri in based and self.root else {}),
                 "roles": ["analysisTarget"]} for uri in self.uris]


def render_sarif(results: list[CheckResult], *, timings: bool = True, unloaded=(), root: str | None = None) -> str:
    del timings  # nothing in SARIF depends on time
    artifacts = Artifacts(root)
    for result in results:
        artifacts.location(result.spec)
    out = []
    for result in results:
        for prop in result.properties:
            if prop.verdict is Verdict.VIOLATED:
                out.append(_violation(result, prop, artifacts))
            elif prop.verdict is Verdict.UNKNOWN:
                out.append(_unknown(result, prop, artifacts))
        out += [_coverage(result, warning, artifacts) for warning in coverage_warnings(result)]
    out += diagnostic_results(unloaded, artifacts)
    checked = [{"spec": r.spec, "strategy": r.strategy, "bounds": r.bounds.describe(), "stop": r.stop.name.lower(),
                "verdicts": {p.property.value: p.verdict.value for p in r.properties}} for r in results]
    checked_properties = {p.property: True for r in results for p in r.properties} or dict.fromkeys(ir.DEFAULTS)
    rules = [_rule(p) for p in checked_properties] + [_coverage_rule()] + diagnostic_rules(unloaded)
    return sarif_log(rules, out, artifacts, {"checked": checked})


def sarif_log(rules: list[dict], results: list[dict], artifacts: Artifacts, properties: dict | None = None) -> str:
    """One SARIF run of pkrsverify: its rules, its results, the specs it read."""
    for result in results:  # a rule's index, where the rule is in the list
        ids = [rule["id"] for rule in rules]
        if result["ruleId"] in ids:
            result["ruleIndex"] = ids.index(result["ruleId"])
    run = {
        "tool": {"driver": {"name": "pkrsverify", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "artifacts": artifacts.listing(),
        "results": results,
        "invocations": [{"executionSuccessful": True}],
    }
    if artifacts.root is not None:
        run["originalUriBaseIds"] = {ROOT: {"description": {
            "text": "the repository's top level (git), else the directory pkrsverify ran in"}}}
    if properties:
        run["properties"] = properties
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def diagnostic_rules(unloaded) -> list[dict]:
    codes = list(dict.fromkeys(d.code for u in unloaded for d in u.diagnostics))
    return [{"id": code.id, "name": code.name.title().replace("_", ""), "shortDescription": {"text": code.title},
             "fullDescription": {"text": f"{code.id}: {code.title} (docs/language.md, Diagnostics)."},
             "defaultConfiguration": {"level": "error"}} for code in codes]


def diagnostic_results(unloaded: tuple[Unloaded, ...], artifacts: Artifacts) -> list[dict]:
    """Each diagnostic of a spec that could not be checked, at its place in the file."""
    out = []
    for failure in unloaded:
        for diagnostic in failure.diagnostics:
            span = diagnostic.span
            if span is not None:
                line, column = span.source.position(span.start)
                end_line, end_column = span.source.position(max(span.end, span.start + 1))
                location = {"physicalLocation": {"artifactLocation": artifacts.location(span.source.path),
                                                 "region": {"startLine": line, "startColumn": column,
                                                            "endLine": end_line, "endColumn": end_column}}}
            else:
                location = {"physicalLocation": {"artifactLocation": artifacts.location(failure.path)}}
            text = diagnostic.message + (f" (help: {diagnostic.help})" if diagnostic.help else "")
            out.append({"ruleId": diagnostic.code.id, "kind": "fail", "level": "error", "message": {"text": text},
                        "locations": [location]})
    return out


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


def sarif_location(ref: SourceRef, artifacts: Artifacts) -> dict:
    return {"physicalLocation": _physical(ref, artifacts)}


def _physical(ref: SourceRef, artifacts: Artifacts) -> dict:
    return {"artifactLocation": artifacts.location(ref.path),
            "region": {"startLine": ref.line, "startColumn": ref.column, "endLine": ref.end_line,
                       "endColumn": ref.end_column, "snippet": {"text": ref.text}}}


def _spec_location(result: CheckResult, artifacts: Artifacts) -> dict:
    return {"physicalLocation": {"artifactLocation": artifacts.location(result.spec)}}


def _violation(result: CheckResult, prop: PropertyResult, artifacts: Artifacts) -> dict:
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
        "ruleId": prop.property.value, "kind": "fail", "level": "error",
        "message": {"text": message},
        "locations": [location],
        **({"relatedLocations": related} if related else {}),
        "codeFlows": [_code_flow(result, trace, artifacts)],
        "partialFingerprints": {"pkrsverify/v1": f"{result.strategy}:{prop.property.value}"},
        "properties": {"strategy": result.strategy, "bounds": result.bounds.describe(), "length": trace.length},
    }


def _code_flow(result: CheckResult, trace: Trace, artifacts: Artifacts) -> dict:
    locations = []
    for step in trace.steps:
        text = f"{step.number}. cpu {step.cpu}, task {step.task}: {step.event} ({trace.register} {step.pkrs})"
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


def _unknown(result: CheckResult, prop: PropertyResult, artifacts: Artifacts) -> dict:
    # SARIF: a result whose kind is not "fail" has level "none".
    return {"ruleId": prop.property.value, "kind": "open", "level": "none",
            "message": {"text": f"{result.strategy}: {prop.property.value} not decided: {prop.note}"},
            "locations": [_spec_location(result, artifacts)]}


def _coverage(result: CheckResult, warning: str, artifacts: Artifacts) -> dict:
    return {"ruleId": COVERAGE_RULE, "kind": "fail", "level": "warning",
            "message": {"text": f"{result.strategy}: {warning}"},
            "locations": [_spec_location(result, artifacts)]}
