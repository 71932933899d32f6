"""Words every format uses the same way: verdicts, changes, coverage, bounds."""
from __future__ import annotations

from dataclasses import dataclass

from ..result import CheckResult, PropertyResult, StopReason, Verdict


def verdict_text(result: PropertyResult) -> str:
    """`VIOLATED in 6 events`, `holds`, `VACUOUS (never checked)`, `UNKNOWN`."""
    if result.verdict is Verdict.VIOLATED:
        return f"VIOLATED in {result.length} events"
    if result.verdict is Verdict.UNKNOWN:
        return "UNKNOWN"
    if result.vacuous:
        return "VACUOUS (holds, but no step ever checked it)"
    if result.verdict is Verdict.PROVED and result.scope.every:
        return f"proved {result.scope.words()}"  # what kind of proof: every depth, every number of tasks, ...
    return result.verdict.value


FATAL_NOTE = "PKRS -: no value, the kernel would BUG() here (a push onto a full stack or a pop from an empty one)"


def fatal_note(trace) -> list[str]:
    """The legend for the `-` a fatal step shows as its PKRS, when the trace has one."""
    return [FATAL_NOTE] if any(step.pkrs == "-" for step in trace.steps) else []


def unloaded_lines(unloaded) -> list[str]:
    """The specs that could not be checked, each diagnostic as a terminal shows it."""
    if not unloaded:
        return []
    out = ["Not checked (the input has errors):", ""]
    for failure in unloaded:
        for diagnostic in failure.diagnostics:
            out += diagnostic.render().split("\n")
        out.append("")
    return out


def unloaded_json(unloaded) -> list[dict]:
    out = []
    for failure in unloaded:
        items = []
        for d in failure.diagnostics:
            item = {"code": d.code.id, "message": d.message, "path": d.span.source.path if d.span else None}
            if d.span is not None:
                item["line"], item["column"] = d.span.source.position(d.span.start)
            if d.help:
                item["help"] = d.help
            items.append(item)
        out.append({"spec": failure.path, "diagnostics": items})
    return out


def describe_change(name: str, old: str, new: str) -> str:
    """One changed cell, as a diff trace shows it: `x: INIT -> v1`; a stack as the push or pop it was."""
    if not old:
        return f"{name} = {new} (new frame)"
    if old.startswith("[") and new.startswith("["):
        before, after = _items(old), _items(new)
        if len(after) == len(before) + 1 and after[:-1] == before:
            return f"{name}: pushed {after[-1]}, {len(after)} deep"
        if len(before) == len(after) + 1 and before[:-1] == after:
            return f"{name}: popped {before[-1]}, {len(after)} left"
    return f"{name}: {old} -> {new}"


def _items(stack: str) -> list[str]:
    inner = stack[1:-1].strip()
    return [item.strip() for item in inner.split(",")] if inner else []


def changes(step) -> list[str]:
    """A step's changed cells, described (old values are there when provenance.py filled them)."""
    previous = step.previous or ("?",) * len(step.changes)
    return [describe_change(name, old, new) for (name, new), old in zip(step.changes, previous)]


def coverage_lines(result: CheckResult) -> list[str]:
    """What the search exercised: entry kinds, handlers, the deepest nesting."""
    coverage = result.coverage
    if coverage is None:
        return []
    entered = ", ".join(coverage.entered) or "none"
    ran = ", ".join(coverage.handlers_run) or "none"
    partial = "" if result.stop is StopReason.COMPLETE else " (the search stopped early: partial)"
    deeper = ("; the model nests deeper: what holds, holds within depth "
              f"{result.bounds.depth} only (try --engine z3 --depth unbounded)") if coverage.nests_deeper else ""
    return [f"entered: {entered}", f"handlers run: {ran}",
            f"deepest nesting: {coverage.max_nesting} of depth {result.bounds.depth}{deeper}{partial}"]


def coverage_warnings(result: CheckResult) -> list[str]:
    """Why a "holds" may be vacuous. Not shown when every property is violated or proved:
    a counterexample is evidence whatever the rest of the search covered, and a proof
    (check --prove-first) needs no search."""
    coverage = result.coverage
    if coverage is None or all(p.verdict in (Verdict.VIOLATED, Verdict.PROVED) for p in result.properties):
        return []
    out = list(coverage.warnings)
    if coverage.nests_deeper:
        out.append(f"the model nests deeper than depth {result.bounds.depth}: what holds, holds within "
                   f"depth {result.bounds.depth} only (--engine z3 --depth unbounded covers every depth)")
    if result.bounds.depth >= 2 and coverage.max_nesting < 2 and coverage.entered:
        out.append(f"no entry ever nested inside another (deepest nesting {coverage.max_nesting}): "
                   f"a verdict about nesting means nothing here")
    if out and result.stop is not StopReason.COMPLETE:
        out = [w + " (so far: the search stopped early)" for w in out]
    return out


def statistics_text(result: CheckResult, timings: bool) -> str:
    s = result.statistics
    if result.engine == "z3":  # no states are counted: proofs, and BMC to `levels` events
        stop = "every property proved or violated" if result.stop is StopReason.COMPLETE else result.stop.value
        text = f"{stop}: z3" + (f", BMC refuted up to {s.levels} events" if s.levels else "")
        return text + (f", {s.seconds:.2f} s" if timings else "")
    if result.stop is StopReason.DECIDED and s.states == 0:  # --prove-first, and z3 proved them all
        return "every property proved by z3: nothing left to search" + (f", {s.seconds:.2f} s" if timings else "")
    text = (f"{result.stop.value}: {s.states:,} states, {s.transitions:,} transitions, "
            f"{s.levels} BFS levels")
    if timings:
        text += f", {s.seconds:.2f} s ({s.states_per_second:,.0f} states/s)"
    return text


@dataclass(frozen=True, slots=True)
class SpecText:
    """A spec's text as the command read it, and the SHA-256 of its bytes: what an HTML report shows and
    names in its footer (commands/ reads the files; reports read none)."""

    path: str
    text: str
    sha256: str
