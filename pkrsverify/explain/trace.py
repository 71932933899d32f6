"""Counterexamples: replay a path of events and say what went wrong.

Every trace an engine reports is re-executed here from the initial state on
the unreduced system, writes numbered v1, v2, ... in order. A path that does
not replay, or that does not end in the claimed violation, is an internal
error: it never reaches a report.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..front import ir
from ..semantics.layout import EXITING, NO_FRAME
from ..result import Trace, TraceStep
from ..semantics.system import Action, Event, Step, System


class ReplayError(AssertionError):
    """An engine produced a path the semantics does not allow: a bug."""


@dataclass(frozen=True, slots=True)
class Replayed:
    before: tuple[int, ...]
    step: Step
    fresh: int  # the value this step's write created, if it wrote


def replay(system: System, events) -> list[Replayed]:
    state = system.initial()
    writes = 0
    out = []
    for number, event in enumerate(events, 1):
        if state is None:
            raise ReplayError(f"step {number}: the path already ended at a fatal push or pop")
        fresh = writes + 1
        matches = [step for step in system.successors(state, fresh) if step.event == event]
        if len(matches) != 1:
            raise ReplayError(f"step {number}: {describe_event(system, event)} is not enabled")
        if event.action is Action.WRITE:
            writes += 1
        out.append(Replayed(state, matches[0], fresh))
        state = matches[0].state
    return out


def build_trace(system: System, events, prop: ir.Property) -> Trace:
    """Replay `events` and check that exactly the last step violates `prop`."""
    path = replay(system, events)
    if not path or prop not in path[-1].step.violated:
        raise ReplayError(f"the path of {len(events)} events does not end in a {prop.value} violation")
    earlier = [i + 1 for i, r in enumerate(path[:-1]) if prop in r.step.violated]
    if earlier:
        raise ReplayError(f"{prop.value} is already violated at step {earlier[0]}: the trace is not shortest")
    steps = tuple(_step(system, number, r) for number, r in enumerate(path, 1))
    trace = Trace(prop, steps, explain(system, prop, path[-1]), tuple(events))
    from .provenance import attach  # here: provenance.py builds on this module
    return attach(system, trace, path)


def value_name(value: int) -> str:
    return "INIT" if value == 0 else f"v{value}"


def describe_event(system: System, event: Event, fresh: int | None = None) -> str:
    kinds = system.kinds
    match event.action:
        case Action.ENTER:
            return f"enter {kinds[event.kind].name}"
        case Action.EXIT:
            return f"exit {kinds[event.kind].name}"
        case Action.WRITE:
            return f"write {value_name(fresh)}" if fresh else "write"
        case Action.DISPATCH:
            return f"dispatch task {event.target}"
        case _:
            where = "idle" if event.target < 0 else f"task {event.target}"
            return f"{event.action.value} -> {where}"


def storage_values(system: System, state) -> dict[str, str]:
    """Every storage instance that exists in `state`, rendered: slots as a value, stacks as a list."""
    layout, storages = system.layout, system.strategy.storages
    out: dict[str, str] = {}

    def stack(index: int, first: int) -> str:
        return "[" + ", ".join(value_name(state[first + i]) for i in range(state[index])) + "]"

    for c, cpu in enumerate(layout.cpus):
        out.update((f"{storages[i].name}[cpu {c}]", value_name(state[p])) for i, p in cpu.cells.items())
        out.update((f"{storages[i].name}[cpu {c}]", stack(*where)) for i, where in cpu.stacks.items())
    out.update((storages[i].name, value_name(state[p])) for i, p in layout.globals.items())
    for t, task in enumerate(layout.tasks):
        out.update((f"{storages[i].name}[task {t}]", value_name(state[p])) for i, p in task.cells.items())
        out.update((f"{storages[i].name}[task {t}]", stack(*where)) for i, where in task.stacks.items())
        for slot in range(1, state[task.frame_count]):
            kind = system.kinds[state[task.frames[slot]] >> 1]
            for i, p in task.frame_cells[slot].items():
                if storages[i].kinds is None or kind.index in storages[i].kinds:
                    out[f"{storages[i].name}[task {t} {kind.name}]"] = value_name(state[p])
    return out


def _step(system: System, number: int, replayed: Replayed) -> TraceStep:
    event, after = replayed.step.event, replayed.step.state
    before = replayed.before
    task = event.target if event.action is Action.DISPATCH else event.task
    fresh = replayed.fresh if event.action is Action.WRITE else None
    if after is None:
        return TraceStep(number, event.cpu, task, describe_event(system, event, fresh), "-", (), _nesting(system, before, task))
    old, new = storage_values(system, before), storage_values(system, after)
    changes = tuple((name, value) for name, value in new.items() if old.get(name) != value)
    pkrs = value_name(after[system.layout.cpus[event.cpu].pkrs])
    return TraceStep(number, event.cpu, task, describe_event(system, event, fresh), pkrs, changes,
                     _nesting(system, after, task))


def _nesting(system: System, state, task: int) -> int:
    return state[system.layout.tasks[task].frame_count] - 1


def _top_kind(system: System, state, task: int) -> ir.FrameKind:
    layout = system.layout.tasks[task]
    code = state[layout.frames[state[layout.frame_count] - 1]]
    assert code != NO_FRAME
    return system.kinds[code >> 1]


def explain(system: System, prop: ir.Property, replayed: Replayed) -> str:
    """One line that says why the last step breaks the property."""
    event, before, after = replayed.step.event, replayed.before, replayed.step.state
    layout = system.layout
    kinds = system.kinds
    P = ir.Property
    if prop is P.FRESH:
        pkrs = after[layout.cpus[event.cpu].pkrs]
        return (f"{kinds[event.kind].name} starts its handler with PKRS = {value_name(pkrs)}, not INIT: "
                f"the value of the code it interrupted leaks into it")
    if prop is P.NO_LOST:
        task = layout.tasks[event.task]
        slot = before[task.frame_count] - 1
        expected = before[task.interrupted[slot]]
        got = after[layout.cpus[event.cpu].pkrs]
        below = _top_kind(system, after, event.task).name
        return (f"exit {kinds[event.kind].name} leaves PKRS = {value_name(got)}, but the {below} below it "
                f"had {value_name(expected)}: lost")
    if prop is P.NO_STALE:
        target = event.target
        got = after[layout.cpus[event.cpu].pkrs]
        left = after[layout.tasks[target].left_with]
        where = _top_kind(system, after, target).name
        return (f"task {target} resumes in {where} with PKRS = {value_name(got)}, but it left with "
                f"{value_name(left)}: stale")
    if prop is P.NO_CLOBBER:
        got = after[layout.cpus[event.cpu].pkrs]
        return (f"the write of {value_name(replayed.fresh)} is undone by the `on write` actions: "
                f"PKRS = {value_name(got)}: clobbered")
    # no_overflow / no_underflow: the step ended at a fatal push or pop
    stack = replayed.step.stack
    if prop is P.NO_OVERFLOW:
        size = next(s.size for s in system.strategy.storages if s.name == stack)
        return f"{describe_event(system, event)} pushes onto {stack}, already full with {size} entries: overflow"
    return f"{describe_event(system, event)} pops from {stack}, which is empty: underflow"


__all__ = ["replay", "build_trace", "describe_event", "value_name", "ReplayError", "EXITING"]
