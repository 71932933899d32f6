"""Where each value of a counterexample came from.

A trace says what happened; a reviewer wants to know whose fault it was.
`Recorder` watches the reference interpreter (semantics/system.py) replay
a trace, as its `Observer`, and records for every cell of the state which
statement wrote which value at which step, and from where it copied it.
stories.py turns that record into the sentence a violation ends with
("step 3, the irq entry, saved v1 in thread.saved_pkrs[task 0] (line 12);
step 4, the nmi entry, overwrote it with INIT by the same statement; ...").
It is the same run that produced the trace, so the record cannot disagree
with it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..front import ir
from ..semantics import events as ev
from ..semantics.system import Event, Observer, Replayed, System, Whose


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
    """Everything the replay did, step by step; built by a Recorder only."""

    system: System
    path: list[Replayed] = field(default_factory=list)
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


# ---- the recorder -----------------------------------------------------------------

class Recorder(Observer):
    """The observer of one replay: `at(number)` before step `number` (1-based) runs."""

    def __init__(self, system: System, events):
        self.system = system
        self.events = list(events)
        self.rec = Record(system)
        self.layout = system.layout
        self.storages = system.strategy.storages
        self.names = _static_names(system)
        self.frame_owner = {p: (t, slot, i) for t, task in enumerate(self.layout.tasks)
                            for slot, cells in enumerate(task.frame_cells) for i, p in cells.items()}
        self.number = 0
        self.event: Event | None = None

    def at(self, number: int) -> Recorder:
        self.number = number
        self.event = self.events[number - 1]
        self.rec.executed.append([])
        return self

    # -- what the interpreter reports -----------------------------------------------
    def statement(self, statement) -> None:
        self.rec.executed[-1].append(statement)

    def put(self, s, position, value, op, source) -> None:
        if op.statement is not None:  # a statement of the spec (an assignment, a push or a pop)
            origin = self.rec.last.get(source) if source is not None else None
            self._put(s, position, value, "statement", op.statement, source, origin)
        elif isinstance(op.src, ev.Fresh):
            self._put(s, position, value, "write", None, None, None)
        else:  # the event's own record of a value: a ghost
            self._put(s, position, value, "ghost", None, None, None)

    def clear(self, s, position) -> None:
        self._put(s, position, 0, "clear", None, None, None)

    def stack(self, s, op, index, push) -> None:
        self.rec.stack_ops.append(StackOp(self.number, index, self._stack_name(op), push, op.statement))

    def fatal(self, s, op, index) -> None:
        size = self.storages[op.stack].size
        self.rec.fatal = Fatal(self.number, op.statement, self._stack_name(op), isinstance(op, ev.Push), size)

    # -- cells ------------------------------------------------------------------
    def _put(self, s, position, value, how, statement, source, origin) -> None:
        write = Write(self.number, position, self._name(s, position), value, how, statement, source, origin)
        self.rec.writes.append(write)
        self.rec.last[position] = write

    def _name(self, s, position: int) -> str:
        if position in self.names:
            return self.names[position]
        if position not in self.frame_owner:
            return self.layout.names[position]  # a ghost: "task 0 frame 2 interrupted", "task 1 left with"
        t, slot, storage = self.frame_owner[position]
        kind = self.system.kinds[self.layout.kind_of(s[self.layout.tasks[t].frames[slot]])].name
        return f"{self.storages[storage].name}[task {t} {kind}]"

    def _stack_name(self, op) -> str:
        storage = self.storages[op.stack]
        task = self.event.task if op.whose is Whose.TASK else self.event.target
        owner = f"task {task}" if storage.place is ir.Place.TASK_STACK else f"cpu {self.event.cpu}"
        return f"{storage.name}[{owner}]"


def _static_names(system: System) -> dict[int, str]:
    """Names of the cells that do not depend on which frames are live (trace.storage_values' names)."""
    layout, storages = system.layout, system.strategy.storages
    several = len(layout.cpus) > 1
    names: dict[int, str] = {}
    for c, cpu in enumerate(layout.cpus):
        for r, position in zip(system.strategy.registers, cpu.registers):
            names[position] = f"{r.name} of cpu {c}" if several else r.name
        names.update((p, f"{storages[i].name}[cpu {c}]") for i, p in cpu.cells.items())
        for i, (_, first) in cpu.stacks.items():
            names.update((first + k, f"{storages[i].name}[cpu {c}] entry {k}") for k in range(storages[i].size))
    names.update((p, storages[i].name) for i, p in layout.globals.items())
    for t, task in enumerate(layout.tasks):
        names.update((p, f"{storages[i].name}[task {t}]") for i, p in task.cells.items())
        for i, (_, first) in task.stacks.items():
            names.update((first + k, f"{storages[i].name}[task {t}] entry {k}") for k in range(storages[i].size))
    return names


__all__ = ["Recorder", "Record", "Write", "StackOp", "Fatal"]
