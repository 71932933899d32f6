"""The JSON format: a versioned schema that tests and later reports rely on.

Schema (version 1; `result.schema.json` beside this file is the exact one):
{ "schema": "pkrsverify-result", "version": 1, "results": [ {
    "spec", "strategy", "model", "engine",
    "bounds": {"tasks", "kthreads", "cpus", "depth"},
    "stop": "complete" | "all_violated" | "state_limit" | "timeout" | "interrupted",
    "statistics": {"states", "transitions", "levels", "max_nesting", "seconds", "states_per_second"},
    "properties": [ {"property", "verdict": "holds"|"violated"|"proved"|"unknown", "note",
                     "length"?, "explanation"?, "trace"?: [ {"step", "cpu", "task", "event", "pkrs",
                     "nesting", "changes": {name: value}} ] } ] } ] }
A new field may appear within a version; a removed or changed one bumps it.
"""
from __future__ import annotations

import json

from ..result import CheckResult, PropertyResult

SCHEMA = "pkrsverify-result"
VERSION = 1


def render_json(results: list[CheckResult], *, timings: bool = True) -> str:
    document = {"schema": SCHEMA, "version": VERSION, "results": [_result(r, timings) for r in results]}
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
        "properties": [_property(p) for p in result.properties],
    }


def _property(result: PropertyResult) -> dict:
    out = {"property": result.property.value, "verdict": result.verdict.value, "note": result.note}
    if result.trace is not None:
        trace = result.trace
        out |= {"length": trace.length, "explanation": trace.explanation, "trace": [
            {"step": s.number, "cpu": s.cpu, "task": s.task, "event": s.event, "pkrs": s.pkrs,
             "nesting": s.nesting, "changes": dict(s.changes)} for s in trace.steps]}
    return out
