"""The JSON format: a versioned schema that tests and later reports rely on.

Schema (version 1; `result.schema.json` beside this file is the exact one):
{ "schema": "pkrsverify-result", "version": 1, "results": [ {
    "spec", "strategy", "model", "engine",
    "bounds": {"tasks", "kthreads", "cpus", "depth"},
    "stop": "complete" | "all_violated" | "decided" | "state_limit" | "timeout" | "interrupted" | "step_limit" | "value_limit",
    "statistics": {"states", "transitions", "levels", "max_nesting", "seconds", "states_per_second"},
    "properties": [ {"property", "verdict": "holds"|"violated"|"proved"|"unknown", "note",
                     "scope"?: {"tasks", "kthreads", "cpus", "depth": the value or "every"},
                     "length"?, "explanation"?, "culprit"?, "blame"?, "trace"?: [ {"step", "cpu", "task",
                     "event", "pkrs", "nesting", "changes": {name: value}, "previous"?, "statements"?,
                     "state"?} ] } ],
    "coverage"?: {...}, "review"?: {...} } ] }
A new field may appear within a version; a removed or changed one bumps it.
docs/json.md documents every field.
"""
from __future__ import annotations

import json

from ..result import CheckResult, Coverage, PropertyResult, SourceRef, Verdict
from .common import coverage_warnings, unloaded_json

SCHEMA = "pkrsverify-result"
VERSION = 1


def render_json(results: list[CheckResult], *, timings: bool = True, unloaded=()) -> str:
    document = {"schema": SCHEMA, "version": VERSION, "results": [_result(r, timings) for r in results]}
    if unloaded:
        document["unloaded"] = unloaded_json(unloaded)
    return json.dumps(document, indent=2) + "\n"


def _result(result: CheckResult, timings: bool) -> dict:
    stats = result.statistics
    statistics = {"states": stats.states, "transitions": stats.transitions, "levels": stats.levels,
                  "max_nesting": stats.max_nesting}
    if timings:
        statistics |= {"seconds": round(stats.seconds, 3), "states_per_second": round(stats.states_per_second)}
    b = result.bounds
    return {
        "spec": result.spec, "strategy": result.strategy, "model": result.model, "engine": result.engine,
        "bounds": {"tasks": b.tasks, "kthreads": b.kthreads, "cpus": b.cpus, "depth": b.depth},
        "stop": result.stop.name.lower(),
        "statistics": statistics,
        "properties": [_property(p, b) for p in result.properties],
    } | _coverage(result) | _review(result)


def _property(result: PropertyResult, bounds) -> dict:
    out = {"property": result.property.value, "verdict": result.verdict.value, "note": result.note}
    if result.verdict in (Verdict.HOLDS, Verdict.PROVED):  # what it covers: each bound's value, or "every"
        out["scope"] = result.scope.covers(bounds)
    if result.vacuous:  # it holds, but no step of the search ever checked it
        out["vacuous"] = True
    if result.invariant:  # a proof: the facts it rests on (z3)
        out["invariant"] = list(result.invariant)
    if result.trace is not None:
        trace = result.trace
        out |= {"length": trace.length, "explanation": trace.explanation, "register": trace.register,
                "trace": [_step(s) for s in trace.steps]}
        if trace.culprit:
            out |= {"culprit": trace.culprit, "blame": [
                {"role": b.role, "step": b.step, "message": b.message}
                | ({"location": _location(b.location)} if b.location else {}) for b in trace.blame]}
    return out


def _step(step) -> dict:
    out = {"step": step.number, "cpu": step.cpu, "task": step.task, "event": step.event, "pkrs": step.pkrs,
           "nesting": step.nesting, "changes": dict(step.changes)}
    if step.registers:
        out["registers"] = dict(step.registers)
    if step.state:  # provenance.py filled these
        out["previous"] = {name: old or None for (name, _), old in zip(step.changes, step.previous)}
        out["statements"] = [_location(s) for s in step.statements]
        out["state"] = dict(step.state)
    return out


def _location(ref: SourceRef) -> dict:
    return {"path": ref.path, "line": ref.line, "column": ref.column, "end_line": ref.end_line,
            "end_column": ref.end_column, "text": ref.text}


def _coverage(result: CheckResult) -> dict:
    coverage: Coverage | None = result.coverage
    if coverage is None:
        return {}
    return {"coverage": {"entered": list(coverage.entered), "exited": list(coverage.exited),
                         "handlers_run": list(coverage.handlers_run), "max_nesting": coverage.max_nesting,
                         "never_entered": list(coverage.never_entered), "never_run": list(coverage.never_run),
                         "unchecked": list(coverage.unchecked), "nests_deeper": coverage.nests_deeper,
                         "vacuous": result.vacuous, "warnings": coverage_warnings(result)}}


def _review(result: CheckResult) -> dict:
    figures = result.review
    if figures is None:
        return {}

    def cost(hook) -> list[dict]:
        return [{"kinds": list(kinds), "reads": [c.reads_min, c.reads_max], "writes": [c.writes_min, c.writes_max]}
                for kinds, c in hook.groups]

    return {"review": {
        "bytes": {"per_task": figures.bytes_per_task, "per_cpu": figures.bytes_per_cpu,
                  "per_frame": figures.bytes_per_frame, "per_frame_uniform": figures.bytes_per_frame_uniform,
                  "global": figures.bytes_global},
        "storages": [{"name": f.name, "place": f.place, "bytes": f.bytes, "per": f.per} for f in figures.storages],
        "msr": {"entry": cost(figures.entry), "exit": cost(figures.exit), "switch": cost(figures.switch),
                "write": cost(figures.write)},
        "pt_regs_layout_changes": figures.pt_regs_layout_changes,
        "findable": {"from_pt_regs": figures.findable, "why": figures.findable_why},
    } | ({"msr_per_register": {c.register: {"entry": cost(c.entry), "exit": cost(c.exit), "switch": cost(c.switch)}
                                for c in figures.per_register}} if figures.per_register else {})}
