"""Where each value of a counterexample came from.

A trace says what happened; a reviewer wants to know whose fault it was.
This module re-runs the spec's handler statements along a replayed trace
(trace.replay) and records, for every cell of the state, which statement
wrote which value at which step, and from where it copied it. culprit.py
turns that record into the sentence a violation ends with ("step 3, the
irq entry, saved v1 in thread.saved_pkrs[task 0] (line 12); step 4, the nmi
entry, overwrote it with INIT by the same statement; ...").

The re-run is a second, slower interpreter of the same semantics, written
for bookkeeping rather than speed (system.py's hot path stays untouched).
After every step it must land on exactly the values the replay reached; if
it does not, one of the two is wrong, and that is an internal error.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..front import ir
from ..result import SourceRef, Trace
from ..front.source import Span
from ..semantics.system import INIT_VALUE, Action, Scope, System
from .trace import Replayed, storage_values, value_name


class ProvenanceError(AssertionError):
    """The bookkeeping interpreter disagrees with system.py: a bug in one of them."""


@dataclass(frozen=True, slots=True)
class Write:
    """One value put into one cell of the state."""

    step: int
    position: int
    where: str                  # the cell, named as the trace names it
    value: int
    how: str                    # "statement", "write" (the write event), "ghost", "clear"
    statement: object | None    # the ir statement, for "statement"
    source: int | None = None   # the position it copied from (None: INIT, a fresh value, a ghost)
    origin: Write | None = None  # the write that had put the copied value there (None: boot)


@dataclass(frozen=True, slots=True)
class StackOp:
    step: int
    index: int                  # position of the stack's index: identifies the stack instance
    where: str
    push: bool
    statement: object


@dataclass(frozen=True, slots=True)
class Fatal:
    step: int
    statement: object
    where: str
    push: bool
    size: int


@dataclass
class Record:
    """Everything the re-run saw; built inside `record` only."""

    system: System
    path: list[Replayed]
    writes: list[Write] = field(default_factory=list)
    last: dict[int, Write] = field(default_factory=dict)      # position -> its latest write
    stack_ops: list[StackOp] = field(default_factory=list)
    executed: list[list[object]] = field(default_factory=list)  # per step: statements run, in order
    fatal: Fatal | None = None

    def history(self, position: int, before: Write | None = None) -> list[Write]:
        """Writes to `position`, oldest first, up to (not including) `before`."""
        out = []
        for write in self.writes:
            if write is before:
                break
            if write.position == position:
                out.append(write)
        return out

    def writes_at(self, step: int, position: int) -> list[Write]:
        return [w for w in self.writes if w.step == step and w.position == position]


# ---- the re-run ------------------------------------------------------------------

def record(system: System, path: list[Replayed]) -> Record:
    rec = Record(system, path)
    run = _Run(system, rec)
    for number, replayed in enumerate(path, 1):
        run.step(number, replayed)
    return rec


class _Run:
    def __init__(self, system: System, rec: Record):
        self.system = system
        self.rec = rec
        self.layout = system.layout
        self.storages = system.strategy.storages
        self.names = _static_names(system)
        self.frame_owner = {p: (t, slot, i) for t, task in enumerate(self.layout.tasks)
                            for slot, cells in enumerate(task.frame_cells) for i, p in cells.items()}
        self.s: list[int] = []
        self.number = 0
        self.entering: tuple[int, int, str] | None = None  # (task, slot, kind) while an entry runs

    # -- one event, mirroring System._enter/_write/_exit/_switch -------------------
    def step(self, number: int, replayed: Replayed) -> None:
        self.number = number
        self.s = list(replayed.before)
        self.rec.executed.append([])
        event, after = replayed.step.event, replayed.step.state
        layout, s = self.layout, self.s
        pkrs = layout.cpus[event.cpu].pkrs
        try:
            if event.action is Action.ENTER:
                task = layout.tasks[event.task]
                slot = s[task.frame_count]
                self._ghost(task.interrupted[slot], s[pkrs], f"task {event.task} frame {slot} interrupted")
                self.entering = (event.task, slot, self.system.kinds[event.kind].name)
                self._hook(ir.Hook.ENTRY, event.kind, Scope(event.task, event.cpu, slot))
            elif event.action is Action.WRITE:
                self._put(pkrs, replayed.fresh, "write")
                self._hook(ir.Hook.WRITE, None, Scope(event.task, event.cpu, 0))
            elif event.action is Action.EXIT:
                task = layout.tasks[event.task]
                slot = s[task.frame_count] - 1
                self._hook(ir.Hook.EXIT, event.kind, Scope(event.task, event.cpu, slot))
                self._put(task.interrupted[slot], 0, "clear", where=f"task {event.task} frame {slot} interrupted")
                for position in task.frame_cells[slot].values():
                    self._put(position, 0, "clear")
            else:
                if event.action is not Action.DISPATCH:
                    task = layout.tasks[event.task]
                    code = s[task.frames[s[task.frame_count] - 1]]
                    if event.action is Action.SCHEDULE and not self.system.kinds[code >> 1].user_mode:
                        self._ghost(task.left_with, s[pkrs], f"task {event.task} left with")
                    self._hook(ir.Hook.SWITCH_OUT, None, Scope(event.task, event.cpu, 0))
                if event.target >= 0:
                    self._hook(ir.Hook.SWITCH_IN, None, Scope(event.target, event.cpu, 0))
        except _Fatal:
            if after is not None:
                raise ProvenanceError(f"step {number}: a fatal push/pop here, but the replay went on") from None
            return
        finally:
            self.entering = None
        if after is None:
            raise ProvenanceError(f"step {number}: the replay ended at a fatal push/pop that the re-run did not hit")
        start = layout.values_start
        if s[start:] != list(after[start:]):
            wrong = next(layout.names[start + i] for i, (a, b) in enumerate(zip(s[start:], after[start:])) if a != b)
            raise ProvenanceError(f"step {number}: the re-run disagrees with the replay on {wrong}")

    def _hook(self, hook: ir.Hook, kind: int | None, scope: Scope) -> None:
        handler = self.system.strategy.handler_for(hook, kind)
        if handler is not None:
            self._body(handler.body, scope)

    def _body(self, body, scope: Scope) -> None:
        for statement in body:
            self.rec.executed[-1].append(statement)
            self._statement(statement, scope)

    def _statement(self, statement, scope: Scope) -> None:
        system, s = self.system, self.s
        if isinstance(statement, ir.Assign):
            source = system.position(statement.value, scope)
            self._copy(system.position(statement.target, scope), source, statement, scope)
        elif isinstance(statement, ir.Push):
            index, first = system.stack_position(statement.stack, scope)
            size = self.storages[statement.stack].size
            where = self._stack_name(statement.stack, scope)
            if s[index] == size:
                self.rec.fatal = Fatal(self.number, statement, where, True, size)
                raise _Fatal
            self._copy(first + s[index], system.position(statement.value, scope), statement, scope)
            self.rec.stack_ops.append(StackOp(self.number, index, where, True, statement))
            s[index] += 1
        elif isinstance(statement, ir.Pop):
            index, first = system.stack_position(statement.stack, scope)
            where = self._stack_name(statement.stack, scope)
            if s[index] == 0:
                self.rec.fatal = Fatal(self.number, statement, where, False, self.storages[statement.stack].size)
                raise _Fatal
            top = first + s[index] - 1
            self._copy(system.position(statement.target, scope), top, statement, scope)
            self._put(top, 0, "clear")  # above the top: unreadable until pushed again (system.py)
            self.rec.stack_ops.append(StackOp(self.number, index, where, False, statement))
            s[index] -= 1
        else:
            left = self._read(system.position(statement.left, scope))
            right = self._read(system.position(statement.right, scope))
            self._body(statement.then if (left == right) == statement.equal else statement.otherwise, scope)

    # -- cells ------------------------------------------------------------------
    def _read(self, position: int) -> int:
        return 0 if position == INIT_VALUE else self.s[position]

    def _copy(self, target: int, source: int, statement, scope: Scope) -> None:
        value = self._read(source)
        origin = None if source == INIT_VALUE else self.rec.last.get(source)
        self._put(target, value, "statement", statement, None if source == INIT_VALUE else source, origin, scope)

    def _ghost(self, position: int, value: int, where: str) -> None:
        self._put(position, value, "ghost", where=where)

    def _put(self, position: int, value: int, how: str, statement=None, source=None, origin=None,
             scope: Scope | None = None, where: str | None = None) -> None:
        self.s[position] = value
        write = Write(self.number, position, where or self._name(position), value, how, statement, source, origin)
        self.rec.writes.append(write)
        self.rec.last[position] = write

    def _name(self, position: int) -> str:
        if position in self.names:
            return self.names[position]
        t, slot, storage = self.frame_owner[position]
        if self.entering and self.entering[:2] == (t, slot):
            kind = self.entering[2]
        else:
            kind = self.system.kinds[self.s[self.layout.tasks[t].frames[slot]] >> 1].name
        return f"{self.storages[storage].name}[task {t} {kind}]"

    def _stack_name(self, stack: int, scope: Scope) -> str:
        storage = self.storages[stack]
        owner = f"task {scope.task}" if storage.place is ir.Place.TASK_STACK else f"cpu {scope.cpu}"
        return f"{storage.name}[{owner}]"


class _Fatal(Exception):
    pass


def _static_names(system: System) -> dict[int, str]:
    """Names of the cells that do not depend on which frames are live (trace.storage_values' names)."""
    layout, storages = system.layout, system.strategy.storages
    several = len(layout.cpus) > 1
    names: dict[int, str] = {}
    for c, cpu in enumerate(layout.cpus):
        names[cpu.pkrs] = f"PKRS of cpu {c}" if several else "PKRS"
        names.update((p, f"{storages[i].name}[cpu {c}]") for i, p in cpu.cells.items())
        for i, (_, first) in cpu.stacks.items():
            names.update((first + k, f"{storages[i].name}[cpu {c}] entry {k}") for k in range(storages[i].size))
    names.update((p, storages[i].name) for i, p in layout.globals.items())
    for t, task in enumerate(layout.tasks):
        names.update((p, f"{storages[i].name}[task {t}]") for i, p in task.cells.items())
        for i, (_, first) in task.stacks.items():
            names.update((first + k, f"{storages[i].name}[task {t}] entry {k}") for k in range(storages[i].size))
    return names


# ---- attaching it to a trace -------------------------------------------------------

def source_ref(span: Span, first_line_only: bool = False) -> SourceRef:
    """A span as reports point at it; `first_line_only` for a whole block (a handler, the strategy)."""
    line, column = span.source.position(span.start)
    end_line, end_column = span.source.position(span.end)
    if first_line_only and end_line != line:
        text = span.source.line_text(line)
        end_line, end_column = line, len(text) + 1
    text = span.source.text[span.start:span.end] if not first_line_only else span.source.line_text(line).strip()
    return SourceRef(span.source.path, line, column, end_line, end_column, text)


def attach(system: System, trace: Trace, path: list[Replayed]) -> Trace:
    """The trace with each step's old values, statements and full state, and its culprit."""
    from .culprit import tell  # culprit.py reads a Record; it is kept apart to stay small

    rec = record(system, path)
    steps = []
    for step, replayed, statements in zip(trace.steps, path, rec.executed):
        old = storage_values(system, replayed.before)
        state = replayed.step.state or replayed.before
        snapshot = tuple((f"PKRS[cpu {c}]", value_name(state[cpu.pkrs])) for c, cpu in enumerate(system.layout.cpus))
        snapshot += tuple(storage_values(system, state).items())
        steps.append(replace(step, previous=tuple(old.get(name, "") for name, _ in step.changes),
                             statements=tuple(source_ref(s.span) for s in statements), state=snapshot))
    culprit, blame = tell(system, trace.property, rec)
    return replace(trace, steps=tuple(steps), culprit=culprit, blame=blame)


def event_phrase(system: System, path: list[Replayed], number: int) -> str:
    """Step `number`'s event as the subject of a sentence: "the nmi entry", "task 1's schedule"."""
    replayed = path[number - 1]
    event = replayed.step.event
    kinds = system.kinds
    who = f"task {event.task}'s " if system.layout.task_count > 1 else "the "
    match event.action:
        case Action.ENTER:
            return f"{who}{kinds[event.kind].name} entry"
        case Action.EXIT:
            return f"{who}{kinds[event.kind].name} exit"
        case Action.WRITE:
            task = system.layout.tasks[event.task]
            code = replayed.before[task.frames[replayed.before[task.frame_count] - 1]]
            return f"{who}write in the {kinds[code >> 1].name}"
        case Action.DISPATCH:
            return f"the dispatch of task {event.target}"
        case Action.PREEMPT:
            return f"the preemption of task {event.task}"
        case _:
            return f"task {event.task}'s schedule" if system.layout.task_count > 1 else "the schedule"


__all__ = ["record", "attach", "Record", "Write", "ProvenanceError", "event_phrase", "source_ref"]
