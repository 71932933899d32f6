"""Counterexamples told in kernel terms: a result's raw event paths become traces.

An engine reports a violation as a path of events (a `Counterexample`) that
it has replayed on the reference interpreter. Here the path is replayed
once more with a Recorder watching (provenance.py), writes numbered v1, v2,
... in order, and becomes a `Trace`: a row per event with the storage it
changed, one line of why the last step breaks the property, and the
culprit story (stories.py). `explain` does this for every violation of a
result and adds its coverage.
"""
from __future__ import annotations

from dataclasses import replace

from ..front import ir
from ..result import CheckResult, Counterexample, PropertyResult, Trace, TraceStep, Verdict
from ..semantics.events import Action
from ..semantics.system import ReplayError, Replayed, System, replay
from .coverage import coverage
from .provenance import Recorder
from .stories import tell
from .words import describe_event, source_ref, storage_values, value_name


def explain(strategy: ir.Strategy, result: CheckResult) -> CheckResult:
    """The result with a trace for every counterexample, and the coverage of what the search took."""
    properties = tuple(explain_one(strategy, result.bounds, p) for p in result.properties)
    if result.taken is None:  # z3: no search to cover
        return replace(result, properties=properties)
    # a proof (check --prove-first) needs no step of the search to have checked its property
    asked = tuple(p.property for p in result.properties if p.verdict is not Verdict.PROVED)
    covered = coverage(strategy, result.taken, result.statistics.max_nesting, result.checked or frozenset(), asked,
                       result.nests_deeper)
    unchecked = set(covered.unchecked)
    properties = tuple(replace(p, vacuous=True) if p.verdict is Verdict.HOLDS and p.property.value in unchecked
                       else p for p in properties)
    return replace(result, properties=properties, coverage=covered)


def explain_one(strategy: ir.Strategy, bounds: ir.Bounds, found: PropertyResult) -> PropertyResult:
    """One property's result with its trace (unchanged when it has no counterexample or has a trace)."""
    if found.counterexample is None or found.trace is not None:
        return found
    # a path of k events nests at most k deep: it replays at that depth whatever bound it was found at
    deep = replace(bounds, depth=max(bounds.depth, found.counterexample.length))
    return replace(found, trace=build_trace(System(strategy, deep), found.counterexample))


def build_trace(system: System, counterexample: Counterexample) -> Trace:
    """Replay the counterexample with a recorder, and tell it."""
    prop, events = counterexample.property, counterexample.events
    recorder = Recorder(system, events)
    path = replay(system, events, recorder.at)
    if not path or prop not in path[-1].step.violated:
        raise ReplayError(f"the path of {len(events)} events does not end in a {prop.value} violation")
    recorder.rec.path = path
    why, culprit, blame = tell(system, prop, recorder.rec)
    shown = shown_register(system.strategy, prop)
    steps = []
    for number, (replayed, statements) in enumerate(zip(path, recorder.rec.executed), 1):
        step = _step(system, number, replayed, shown)
        old = storage_values(system, replayed.before)
        state = replayed.step.state or replayed.before
        snapshot = tuple((f"{r.name}[cpu {c}]", value_name(state[position])) for c, cpu in enumerate(system.layout.cpus)
                         for r, position in zip(system.strategy.registers, cpu.registers))
        snapshot += tuple(storage_values(system, state).items())
        steps.append(replace(step, previous=tuple(old.get(name, "") for name, _ in step.changes),
                             statements=tuple(source_ref(s.span) for s in statements), state=snapshot))
    return Trace(prop, tuple(steps), why, tuple(events), culprit, blame, system.strategy.registers[shown].name)


def shown_register(strategy, prop) -> int:
    """The register a trace of `prop` shows in its column: the property's own (a shadow's: the one it
    shadows), or the spec's first."""
    if prop.storage is not None:
        return next(s.shadows for s in strategy.storages if s.name == prop.storage)
    return next((r.index for r in strategy.registers if r.name == prop.register), 0)


def _step(system: System, number: int, replayed: Replayed, shown: int) -> TraceStep:
    event, after = replayed.step.event, replayed.step.state
    before = replayed.before
    task = event.target if event.action is Action.DISPATCH else event.task
    fresh = replayed.fresh
    if after is None:
        return TraceStep(number, event.cpu, task, describe_event(system, event, fresh), "-", (),
                         _nesting(system, before, task), registers=tuple((r.name, "-") for r in system.strategy.registers))
    old, new = storage_values(system, before), storage_values(system, after)
    changes = tuple((name, value) for name, value in new.items() if old.get(name) != value)
    values = tuple((r.name, value_name(after[position]))
                   for r, position in zip(system.strategy.registers, system.layout.cpus[event.cpu].registers))
    return TraceStep(number, event.cpu, task, describe_event(system, event, fresh), values[shown][1], changes,
                     _nesting(system, after, task), registers=values)


def _nesting(system: System, state, task: int) -> int:
    return state[system.layout.tasks[task].frame_count] - 1


__all__ = ["explain", "explain_one", "build_trace"]
