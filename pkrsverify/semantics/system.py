"""The transition system of semantics.md: events, guards, effects, checks.

`System.successors(state, fresh)` is the single definition of a step that
every engine and the trace replay share. It yields, for each enabled event,
the next state (None where a push or pop was fatal and the path ends) and
the properties the step violates. `fresh` is the value a `write` creates:
the explicit engine passes one no state holds and renames canonically, the
replay numbers writes 1, 2, 3 so that traces read v1, v2, v3.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterator, NamedTuple

from ..front import ir
from .layout import EXITING, IDLE, NO_FRAME, Layout, build_layout, initial_state

P = ir.Property


class Action(Enum):
    ENTER = "enter"
    WRITE = "write"
    EXIT = "exit"
    SCHEDULE = "schedule"
    PREEMPT = "preempt"
    DISPATCH = "dispatch"


class Event(NamedTuple):
    action: Action
    cpu: int
    task: int
    kind: int = -1    # ENTER: the entry kind; EXIT: the kind of the frame left
    target: int = -1  # SCHEDULE, PREEMPT: the task switched in (IDLE: none); DISPATCH: the task


class Step(NamedTuple):
    event: Event
    state: tuple[int, ...] | None   # None: a fatal push/pop ended the path
    violated: tuple[ir.Property, ...]
    stack: str = ""   # the stack a fatal push or pop hit


class Fatal(Exception):
    """A push onto a full stack or a pop from an empty one: the kernel BUG()s."""

    def __init__(self, prop: ir.Property, stack: str):
        self.prop = prop
        self.stack = stack


# Compiled statements: positions in the state tuple are resolved once per
# (handler, task, cpu, frame slot), so a step only moves ints around.
INIT_VALUE = -1  # a source "position" that means the constant INIT


@dataclass(frozen=True, slots=True)
class Scope:
    task: int
    cpu: int
    slot: int  # frame slot of the frame entered/exited; 0 when the event has no frame


class System:
    """One strategy at fixed bounds: the states, the events, the checks."""

    def __init__(self, strategy: ir.Strategy, bounds: ir.Bounds | None = None):
        self.strategy = strategy
        self.model = strategy.model
        self.bounds = bounds or strategy.bounds
        self.layout: Layout = build_layout(strategy, self.bounds)
        self.kinds = self.model.kinds
        self.entry_kinds = tuple(k for k in self.kinds if not k.is_base)
        self._compiled: dict = {}

    # ---- the pieces an engine needs --------------------------------------------

    def initial(self) -> tuple[int, ...]:
        return initial_state(self.layout, self.model)

    def nesting(self, state) -> int:
        """The deepest entry nesting among the tasks of a state."""
        return max(state[task.frame_count] for task in self.layout.tasks) - 1

    def successors(self, state: tuple[int, ...], fresh: int) -> Iterator[Step]:
        layout = self.layout
        running = [state[cpu.running] for cpu in layout.cpus]
        ready = [t for t in range(layout.task_count) if t not in running]
        for c, t in enumerate(running):
            if t == IDLE:
                for target in ready:
                    yield self._switch(state, Event(Action.DISPATCH, c, IDLE, target=target), None)
            else:
                yield from self._task_events(state, c, t, ready, fresh)

    def _task_events(self, state, c: int, t: int, ready: list[int], fresh: int) -> Iterator[Step]:
        task = self.layout.tasks[t]
        n = state[task.frame_count]
        code = state[task.frames[n - 1]]
        top = self.kinds[code >> 1]
        if not code & EXITING:
            below = [self.kinds[state[task.frames[j]] >> 1] for j in range(n)]
            if n - 1 < self.bounds.depth:
                for kind in self.entry_kinds:
                    if top.index in kind.interrupts and (
                            kind.max_frames is None or sum(f is kind for f in below) < kind.max_frames):
                        yield self._enter(state, c, t, kind)
            if top.writes:
                yield self._write(state, c, t, fresh)
            atomic_below = any(f.atomic for f in below[:-1])
            for action, allowed in ((Action.SCHEDULE, top.sleeps), (Action.PREEMPT, top.preempt_on_exit)):
                if allowed and not atomic_below:
                    for target in [u for u in ready if u != t] + [IDLE]:
                        yield self._switch(state, Event(action, c, t, target=target), top)
        if n > 1:
            yield self._exit(state, c, t, top)

    # ---- effects ---------------------------------------------------------------

    def _enter(self, state, c: int, t: int, kind: ir.FrameKind) -> Step:
        event = Event(Action.ENTER, c, t, kind=kind.index)
        task, pkrs = self.layout.tasks[t], self.layout.cpus[c].pkrs
        s = list(state)
        slot = s[task.frame_count]
        s[task.interrupted[slot]] = s[pkrs]
        try:
            self._run(ir.Hook.ENTRY, kind.index, Scope(t, c, slot), s)
        except Fatal as fatal:
            return Step(event, None, (fatal.prop,), fatal.stack)
        s[task.frames[slot]] = kind.index * 2
        s[task.frame_count] = slot + 1
        return Step(event, tuple(s), (P.FRESH,) if s[pkrs] != 0 else ())

    def _write(self, state, c: int, t: int, fresh: int) -> Step:
        event = Event(Action.WRITE, c, t)
        pkrs = self.layout.cpus[c].pkrs
        s = list(state)
        s[pkrs] = fresh
        try:
            self._run(ir.Hook.WRITE, None, Scope(t, c, 0), s)
        except Fatal as fatal:
            return Step(event, None, (fatal.prop,), fatal.stack)
        return Step(event, tuple(s), (P.NO_CLOBBER,) if s[pkrs] != fresh else ())

    def _exit(self, state, c: int, t: int, top: ir.FrameKind) -> Step:
        event = Event(Action.EXIT, c, t, kind=top.index)
        task, pkrs = self.layout.tasks[t], self.layout.cpus[c].pkrs
        s = list(state)
        slot = s[task.frame_count] - 1
        try:
            self._run(ir.Hook.EXIT, top.index, Scope(t, c, slot), s)
        except Fatal as fatal:
            return Step(event, None, (fatal.prop,), fatal.stack)
        interrupted = s[task.interrupted[slot]]
        # The popped frame's cells are unreachable from now on: clear them so
        # equal futures are equal states.
        s[task.interrupted[slot]] = 0
        for position in task.frame_cells[slot].values():
            s[position] = 0
        s[task.frames[slot]] = NO_FRAME
        s[task.frame_count] = slot
        below = self.kinds[s[task.frames[slot - 1]] >> 1]
        lost = not below.user_mode and s[pkrs] != interrupted
        return Step(event, tuple(s), (P.NO_LOST,) if lost else ())

    def _switch(self, state, event: Event, top: ir.FrameKind | None) -> Step:
        """schedule / preempt (switch out, then maybe in) and dispatch (switch in)."""
        c = event.cpu
        cpu = self.layout.cpus[c]
        s = list(state)
        try:
            if event.action is not Action.DISPATCH:
                task = self.layout.tasks[event.task]
                top_position = task.frames[s[task.frame_count] - 1]
                if event.action is Action.PREEMPT:
                    s[top_position] |= EXITING
                elif not top.user_mode:
                    s[task.left_with] = s[cpu.pkrs]
                self._run(ir.Hook.SWITCH_OUT, None, Scope(event.task, c, 0), s)
                s[cpu.running] = IDLE
            if event.target == IDLE:
                return Step(event, tuple(s), ())
            s[cpu.running] = event.target
            self._run(ir.Hook.SWITCH_IN, None, Scope(event.target, c, 0), s)
        except Fatal as fatal:
            return Step(event, None, (fatal.prop,), fatal.stack)
        incoming = self.layout.tasks[event.target]
        code = s[incoming.frames[s[incoming.frame_count] - 1]]
        observes = not code & EXITING and not self.kinds[code >> 1].user_mode
        stale = observes and s[cpu.pkrs] != s[incoming.left_with]
        return Step(event, tuple(s), (P.NO_STALE,) if stale else ())

    # ---- running a handler ----------------------------------------------------------

    def _run(self, hook: ir.Hook, kind: int | None, scope: Scope, s: list[int]) -> None:
        key = (hook, kind, scope)
        ops = self._compiled.get(key)
        if ops is None:
            handler = self.strategy.handler_for(hook, kind)
            ops = self._compile(handler.body, scope) if handler else ()
            self._compiled[key] = ops
        _execute(ops, s)

    def _compile(self, body, scope: Scope) -> tuple:
        return tuple(self._compile_one(statement, scope) for statement in body)

    def _compile_one(self, statement, scope: Scope):
        where = self.position
        if isinstance(statement, ir.Assign):
            return (0, where(statement.target, scope), where(statement.value, scope))
        if isinstance(statement, ir.Push):
            index, first = self.stack_position(statement.stack, scope)
            stack = self.strategy.storages[statement.stack]
            return (1, index, first, stack.size, where(statement.value, scope), stack.name)
        if isinstance(statement, ir.Pop):
            index, first = self.stack_position(statement.stack, scope)
            return (2, where(statement.target, scope), index, first, self.strategy.storages[statement.stack].name)
        return (3, where(statement.left, scope), where(statement.right, scope), statement.equal,
                self._compile(statement.then, scope), self._compile(statement.otherwise, scope))

    def position(self, value, scope: Scope) -> int:
        if isinstance(value, ir.Init):
            return INIT_VALUE
        if isinstance(value, ir.Pkrs):
            return self.layout.cpus[scope.cpu].pkrs
        storage = self.strategy.storages[value.storage]
        place = storage.place
        if place is ir.Place.TASK:
            return self.layout.tasks[scope.task].cells[storage.index]
        if place is ir.Place.CPU:
            return self.layout.cpus[scope.cpu].cells[storage.index]
        if place is ir.Place.GLOBAL:
            return self.layout.globals[storage.index]
        assert place.is_frame and scope.slot > 0, "analysis admits frame storage only on entry and exit"
        return self.layout.tasks[scope.task].frame_cells[scope.slot][storage.index]

    def stack_position(self, stack: int, scope: Scope) -> tuple[int, int]:
        storage = self.strategy.storages[stack]
        owner = self.layout.tasks[scope.task] if storage.place is ir.Place.TASK_STACK else self.layout.cpus[scope.cpu]
        return owner.stacks[stack]


def _execute(ops, s: list[int]) -> None:
    for op in ops:
        code = op[0]
        if code == 0:
            _, dst, src = op
            s[dst] = 0 if src == INIT_VALUE else s[src]
        elif code == 1:
            _, index, first, size, src, name = op
            depth = s[index]
            if depth == size:
                raise Fatal(P.NO_OVERFLOW, name)
            s[first + depth] = 0 if src == INIT_VALUE else s[src]
            s[index] = depth + 1
        elif code == 2:
            _, dst, index, first, name = op
            depth = s[index]
            if depth == 0:
                raise Fatal(P.NO_UNDERFLOW, name)
            s[dst] = s[first + depth - 1]
            s[first + depth - 1] = 0  # above the top: unreadable until pushed again
            s[index] = depth - 1
        else:
            _, left, right, equal, then, otherwise = op
            a = 0 if left == INIT_VALUE else s[left]
            b = 0 if right == INIT_VALUE else s[right]
            _execute(then if (a == b) == equal else otherwise, s)
