"""System: the reference interpreter of the table of events (events.py) on a state tuple.

`System.successors(state, fresh)` yields, for each enabled event in the
table's order, the next state (None where a push or pop was fatal and the
path ends) and the properties the step violates; `System.step` computes one
given event. `fresh` is the value a `write` (or a delivery) creates: the explicit engine
passes one no state holds and renames canonically, a replay numbers writes
1, 2, 3 so that traces read v1, v2, v3.

Every other engine translates the same table (the generated successors of
explicit/, the Z3 terms of symbolic/, the Promela of export/) and tests hold
each translation to this interpreter. An `Observer` may watch a step: the
explanations (explain/provenance.py) record who wrote what through it, so
that they never re-state the semantics.

`replay` runs a path of events from the initial state and raises
ReplayError when one is not enabled: every counterexample an engine finds
goes through it before it is reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

from ..front import ir
from . import events as ev
from .events import IDLE, Action, Event, Template, Whose
from .layout import NO_FRAME, Layout, build_layout, initial_state

INIT_VALUE = -1  # a source "position" that means the constant INIT


class Step(NamedTuple):
    event: Event
    state: tuple[int, ...] | None   # None: a fatal push/pop ended the path
    violated: tuple[ir.Property, ...]
    stack: str = ""   # the stack a fatal push or pop hit
    checked: frozenset[ir.Property] = frozenset()  # the checks the step made (violated or not)


class Fatal(Exception):
    """A push onto a full stack or a pop from an empty one: the kernel BUG()s."""

    def __init__(self, prop: ir.Property, stack: str):
        self.prop = prop
        self.stack = stack


class ReplayError(AssertionError):
    """An engine produced a path the semantics does not allow: a bug, never a report."""


class Observer:
    """Watches a step as the interpreter runs it (every method a no-op here).

    `s` is the state being built, as it stands when the call is made;
    `source` is the position a value was copied from (None for INIT or a
    fresh value)."""

    def statement(self, statement: ir.Statement) -> None: ...

    def put(self, s: list[int], position: int, value: int, op, source: int | None) -> None: ...

    def clear(self, s: list[int], position: int) -> None: ...

    def stack(self, s: list[int], op, index: int, push: bool) -> None: ...

    def fatal(self, s: list[int], op, index: int) -> None: ...


@dataclass(frozen=True, slots=True)
class System:
    """One strategy at fixed bounds: the states, the events, the checks."""

    strategy: ir.Strategy
    bounds: ir.Bounds = None  # the strategy's own bounds when not given
    layout: Layout = field(init=False)
    table: ev.Table = field(init=False)

    def __post_init__(self) -> None:
        if self.bounds is None:
            object.__setattr__(self, "bounds", self.strategy.bounds)
        object.__setattr__(self, "table", ev.table(self.strategy))
        object.__setattr__(self, "layout", build_layout(self.strategy, self.bounds, self.table.phases.count))

    @property
    def model(self) -> ir.Model:
        return self.strategy.model

    @property
    def kinds(self) -> tuple[ir.FrameKind, ...]:
        return self.strategy.model.kinds

    @property
    def entry_kinds(self) -> tuple[ir.FrameKind, ...]:
        return self.strategy.model.entries

    def events(self) -> tuple[Event, ...]:
        """Every concrete event at these bounds, in the table's order."""
        return tuple(self.table.concrete_events(self.bounds))

    # ---- states ----------------------------------------------------------------------

    def initial(self) -> tuple[int, ...]:
        return initial_state(self.layout, self.model)

    def nesting(self, state) -> int:
        """The deepest entry nesting among the tasks of a state."""
        return max(state[task.frame_count] for task in self.layout.tasks) - 1

    def frames(self, state, t: int) -> tuple[tuple[ir.FrameKind, ...], int]:
        """Task t's frame kinds, bottom first, and the phase of its top frame."""
        layout = self.layout
        task = layout.tasks[t]
        codes = [state[task.frames[j]] for j in range(state[task.frame_count])]
        return tuple(self.kinds[layout.kind_of(code)] for code in codes), layout.phase_of(codes[-1])

    def ready(self, state) -> list[int]:
        running = {state[cpu.running] for cpu in self.layout.cpus}
        return [t for t in range(self.layout.task_count) if t not in running]

    # ---- steps -----------------------------------------------------------------------------

    def successors(self, state: tuple[int, ...], fresh: int) -> Iterator[Step]:
        ready = self.ready(state)
        for c, cpu in enumerate(self.layout.cpus):
            t = state[cpu.running]
            if t == IDLE:
                for template in self.table.by_action(Action.DISPATCH):
                    for event in ev.instances(template, c, IDLE, ready):
                        yield self.apply(state, event, template, fresh)
                continue
            kinds, phase = self.frames(state, t)
            for template in self.table.task_templates:
                if ev.enabled(template, kinds, phase, self.bounds.depth):
                    for event in ev.instances(template, c, t, ready):
                        yield self.apply(state, event, template, fresh)

    def step(self, state: tuple[int, ...], event: Event, fresh: int, observer: Observer | None = None) -> Step | None:
        """The step of `event` from `state`, or None when the event is not enabled there."""
        if not 0 <= event.cpu < len(self.layout.cpus):
            return None
        running = state[self.layout.cpus[event.cpu].running]
        template = self.table.template(event)
        if template.cpu_idle:
            if running != IDLE or event.target not in self.ready(state):
                return None
        else:
            if running != event.task or not ev.enabled(template, *self.frames(state, event.task), self.bounds.depth):
                return None
            if template.target is ev.Target.TASK and event.target not in self.ready(state):
                return None
        return self.apply(state, event, template, fresh, observer)

    def apply(self, state, event: Event, template: Template, fresh: int, observer: Observer | None = None) -> Step:
        """Run an enabled event's operations on a copy of the state."""
        s = list(state)
        violated: list[ir.Property] = []
        run = _Run(self, s, event, fresh, violated, observer or _QUIET)
        try:
            run.ops(template.ops)
        except Fatal as fatal:
            return Step(event, None, (fatal.prop,), fatal.stack, frozenset(run.checked))
        return Step(event, tuple(s), tuple(violated), "", frozenset(run.checked))

    # ---- where a location lives ----------------------------------------------------------------

    def whose(self, event: Event, whose: Whose) -> int:
        return event.task if whose is Whose.TASK else event.target

    def top(self, s, t: int) -> int:
        """The slot of task t's top frame."""
        return s[self.layout.tasks[t].frame_count] - 1

    def position(self, location, event: Event, top: int) -> int:
        """The position of a location (INIT_VALUE for INIT) for `event`, whose frame is in slot `top`
        (the acting task's top frame: the one entered, or the one exited)."""
        layout = self.layout
        if isinstance(location, ev.Init):
            return INIT_VALUE
        if isinstance(location, ev.Register):
            return layout.cpus[event.cpu].registers[location.register]
        if isinstance(location, ev.Slot):
            storage = self.strategy.storages[location.storage]
            return layout.cell(storage, self.whose(event, location.whose), event.cpu, top)
        if isinstance(location, ev.Interrupted):
            return layout.tasks[event.task].interrupted[top][location.register]
        if isinstance(location, ev.Delivered):
            return layout.tasks[event.task].delivered[top][location.register]
        assert isinstance(location, ev.LeftWith)
        return layout.tasks[self.whose(event, location.whose)].left_with[location.register]

    def stack_position(self, stack: int, whose: Whose, event: Event) -> tuple[int, int]:
        return self.layout.stack(self.strategy.storages[stack], self.whose(event, whose), event.cpu)


_QUIET = Observer()


class _Run:
    """One step's operations on the state list `s`."""

    def __init__(self, system: System, s: list[int], event: Event, fresh: int, violated: list, observer: Observer):
        self.system, self.s, self.event, self.fresh = system, s, event, fresh
        self.violated, self.observer = violated, observer
        self.checked: set[ir.Property] = set()
        self.layout = system.layout

    def where(self, location) -> int:
        top = self.system.top(self.s, self.event.task) if self.event.task != IDLE else 0
        return self.system.position(location, self.event, top)

    def read(self, value) -> tuple[int, int | None]:
        """(the value, the position it is read from or None)."""
        if isinstance(value, ev.Fresh):
            return self.fresh, None
        position = self.where(value)
        return (0, None) if position == INIT_VALUE else (self.s[position], position)

    def ops(self, ops) -> None:
        for op in ops:
            getattr(self, type(op).__name__)(op)

    # ---- values ---------------------------------------------------------------------------------

    def Copy(self, op: ev.Copy) -> None:  # noqa: N802 - one method per op type
        if op.statement is not None:
            self.observer.statement(op.statement)
        value, source = self.read(op.src)
        dst = self.where(op.dst)
        self.s[dst] = value
        self.observer.put(self.s, dst, value, op, source)

    def Push(self, op: ev.Push) -> None:  # noqa: N802
        self.observer.statement(op.statement)
        storage = self.system.strategy.storages[op.stack]
        index, first = self.system.stack_position(op.stack, op.whose, self.event)
        depth = self.s[index]
        self.checked.add(ir.Property.NO_OVERFLOW)
        if depth == storage.size:
            self.observer.fatal(self.s, op, index)
            raise Fatal(ir.Property.NO_OVERFLOW, storage.name)
        value, source = self.read(op.src)
        self.s[first + depth] = value
        self.observer.put(self.s, first + depth, value, op, source)
        self.observer.stack(self.s, op, index, True)
        self.s[index] = depth + 1

    def Pop(self, op: ev.Pop) -> None:  # noqa: N802
        self.observer.statement(op.statement)
        storage = self.system.strategy.storages[op.stack]
        index, first = self.system.stack_position(op.stack, op.whose, self.event)
        depth = self.s[index]
        self.checked.add(ir.Property.NO_UNDERFLOW)
        if depth == 0:
            self.observer.fatal(self.s, op, index)
            raise Fatal(ir.Property.NO_UNDERFLOW, storage.name)
        top = first + depth - 1
        dst = self.where(op.dst)
        self.s[dst] = self.s[top]
        self.observer.put(self.s, dst, self.s[top], op, top)
        self.s[top] = 0  # above the top: unreadable until pushed again
        self.observer.clear(self.s, top)
        self.observer.stack(self.s, op, index, False)
        self.s[index] = depth - 1

    def Branch(self, op: ev.Branch) -> None:  # noqa: N802
        self.observer.statement(op.statement)
        taken = (self.read(op.left)[0] == self.read(op.right)[0]) == op.equal
        self.ops(op.then if taken else op.otherwise)

    def Handler(self, op: ev.Handler) -> None:  # noqa: N802
        self.ops(op.body)

    def Check(self, op: ev.Check) -> None:  # noqa: N802
        if not self.when(op):
            return
        self.checked.add(op.property)
        if self.read(op.left)[0] != self.read(op.right)[0]:
            self.violated.append(op.property)

    def when(self, op: ev.Check) -> bool:
        s, kinds, layout = self.s, self.system.kinds, self.layout
        if op.when is ev.When.ALWAYS:
            return True
        if op.when is ev.When.BELOW:
            task = layout.tasks[self.event.task]
            return not kinds[layout.kind_of(s[task.frames[s[task.frame_count] - 2]])].user_mode
        t = self.event.target if op.when is ev.When.INCOMING else s[layout.cpus[self.event.cpu].running]
        if t == IDLE:
            return False
        task = layout.tasks[t]
        code = s[task.frames[s[task.frame_count] - 1]]
        return layout.phase_of(code) == ev.BODY and (op.user_observes or not kinds[layout.kind_of(code)].user_mode)

    # ---- structure ------------------------------------------------------------------------------

    def OpenFrame(self, op: ev.OpenFrame) -> None:  # noqa: N802
        task = self.layout.tasks[self.event.task]
        slot = self.s[task.frame_count]
        self.s[task.frames[slot]] = self.layout.code(op.kind, ev.BODY)
        self.s[task.frame_count] = slot + 1

    def CloseFrame(self, op: ev.CloseFrame) -> None:  # noqa: N802
        task = self.layout.tasks[self.event.task]
        slot = self.s[task.frame_count] - 1
        for position in (*task.ghosts(slot), *task.frame_cells[slot].values()):
            self.s[position] = 0
            self.observer.clear(self.s, position)
        self.s[task.frames[slot]] = NO_FRAME
        self.s[task.frame_count] = slot

    def SetPhase(self, op: ev.SetPhase) -> None:  # noqa: N802
        layout = self.layout
        task = layout.tasks[self.event.task]
        position = task.frames[self.s[task.frame_count] - 1]
        self.s[position] = layout.code(layout.kind_of(self.s[position]), op.phase)

    def Leave(self, op: ev.Leave) -> None:  # noqa: N802
        self.s[self.layout.cpus[self.event.cpu].running] = IDLE

    def Resume(self, op: ev.Resume) -> None:  # noqa: N802
        self.s[self.layout.cpus[self.event.cpu].running] = self.event.target


# ---- replay ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Replayed:
    before: tuple[int, ...]
    step: Step
    fresh: int | None  # the value this step's write or delivery created, if it created one


def replay(system: System, events, observer_for=None) -> list[Replayed]:
    """Run `events` from the initial state, the values writes and deliveries create numbered 1, 2, 3;
    ReplayError if one is not enabled.

    `observer_for(number)` gives the observer of step `number` (1-based), if any."""
    state = system.initial()
    writes = 0
    out = []
    for number, event in enumerate(events, 1):
        if state is None:
            raise ReplayError(f"step {number}: the path already ended at a fatal push or pop")
        fresh = writes + 1
        step = system.step(state, event, fresh, observer_for(number) if observer_for else None)
        if step is None:
            raise ReplayError(f"step {number}: {event} is not enabled")
        creates = system.table.template(event).creates_fresh
        writes += creates
        out.append(Replayed(state, step, fresh if creates else None))
        state = step.state
    return out


def confirm(system: System, events, prop: ir.Property) -> list[Replayed]:
    """Replay a counterexample of `prop` and check that its last step, and no earlier one, violates it."""
    path = replay(system, events)
    if not path or prop not in path[-1].step.violated:
        raise ReplayError(f"the path of {len(events)} events does not end in a {prop.value} violation")
    earlier = [i + 1 for i, r in enumerate(path[:-1]) if prop in r.step.violated]
    if earlier:
        raise ReplayError(f"{prop.value} is already violated at step {earlier[0]}: the trace is not shortest")
    return path


def refutes(system: System, events, properties) -> tuple[ir.Property, int] | None:
    """Does this path of events, found for another design of the same model at the same bounds, violate one of
    `properties` here? The property and the number of the step that violates it; None when no step does, or
    when an event of the path is not enabled here (the path is not one of this design).

    A path that refutes is a real counterexample of this design (it is run by this interpreter, the
    semantics), so a candidate it refutes needs no search: the pruning of repair and synthesis (CEGIS)."""
    state = system.initial()
    writes = 0
    for number, event in enumerate(events, 1):
        if state is None:
            return None
        try:
            step = system.step(state, event, writes + 1)
        except (KeyError, IndexError):  # an event this design's table does not have (a window's part)
            return None
        if step is None:
            return None
        hit = next((p for p in step.violated if p in properties), None)
        if hit is not None:
            return hit, number
        writes += system.table.template(event).creates_fresh
        state = step.state
    return None


__all__ = ["System", "Step", "Fatal", "Observer", "Replayed", "ReplayError", "replay", "confirm", "refutes", "INIT_VALUE",
           "Action", "Event", "Whose", "IDLE"]
