"""Python source for one event function of engines/compiled.py.

Each function takes a state (bytes) and returns (event id, next state or
None, violated properties as bits); the strategy's statements become
assignments between fixed positions, so a step is a handful of byte moves.
The code mirrors System._enter, _write, _exit and _switch line for line;
tests/test_fast_successors.py holds it to them.
"""
from __future__ import annotations

from ..front import ir
from ..semantics.system import Action, Event, Scope
from .compiled import BIT, FRESH, NONE


class Generator:
    """Python source for one event function."""

    def __init__(self, compiled):
        self.c = compiled
        self.system = compiled.system
        self.lines: list[str] = []
        self.eid = -1

    def function(self, key):
        kind = key[0]
        getattr(self, "_" + kind)(*key[1:])
        source = "def f(s, bytearray=bytearray, bytes=bytes):\n" + "\n".join(self.lines) + "\n"
        namespace = {"OBS": self.c._observes}
        exec(compile(source, f"<pkrsverify {key}>", "exec"), namespace)
        f = namespace["f"]
        f.source = source
        return f

    def emit(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)

    def _enter(self, c: int, t: int, slot: int, k: int) -> None:
        layout = self.system.layout
        task, pkrs = layout.tasks[t], layout.cpus[c].pkrs
        self.eid = self.c.event_ids[Event(Action.ENTER, c, t, kind=k)]
        self.emit("b = bytearray(s)")
        self.emit(f"b[{task.interrupted[slot]}] = b[{pkrs}]")
        self.handler(ir.Hook.ENTRY, k, Scope(t, c, slot))
        self.emit(f"b[{task.frames[slot]}] = {k * 2}")
        self.emit(f"b[{task.frame_count}] = {slot + 1}")
        self.emit(f"return ({self.eid}, bytes(b), {BIT[ir.Property.FRESH]} if b[{pkrs}] else 0)")

    def _write(self, c: int, t: int) -> None:
        pkrs = self.system.layout.cpus[c].pkrs
        self.eid = self.c.event_ids[Event(Action.WRITE, c, t)]
        self.emit("b = bytearray(s)")
        self.emit(f"b[{pkrs}] = {FRESH}")
        self.handler(ir.Hook.WRITE, None, Scope(t, c, 0))
        self.emit(f"return ({self.eid}, bytes(b), {BIT[ir.Property.NO_CLOBBER]} if b[{pkrs}] != {FRESH} else 0)")

    def _exit(self, c: int, t: int, slot: int, k: int, below_observes: bool) -> None:
        layout = self.system.layout
        task, pkrs = layout.tasks[t], layout.cpus[c].pkrs
        self.eid = self.c.event_ids[Event(Action.EXIT, c, t, kind=k)]
        self.emit("b = bytearray(s)")
        self.handler(ir.Hook.EXIT, k, Scope(t, c, slot))
        self.emit(f"i = b[{task.interrupted[slot]}]")
        # the popped frame's cells are unreachable from now on: cleared, as System does
        for position in [task.interrupted[slot], *task.frame_cells[slot].values()]:
            self.emit(f"b[{position}] = 0")
        self.emit(f"b[{task.frames[slot]}] = {NONE}")
        self.emit(f"b[{task.frame_count}] = {slot}")
        lost = f"{BIT[ir.Property.NO_LOST]} if b[{pkrs}] != i else 0" if below_observes else "0"
        self.emit(f"return ({self.eid}, bytes(b), {lost})")

    def _switch(self, action: Action, c: int, t: int, u: int, top_position: int, records_left: bool) -> None:
        layout = self.system.layout
        cpu = layout.cpus[c]
        self.eid = self.c.event_ids[Event(action, c, t, target=u)]
        self.emit("b = bytearray(s)")
        if action is Action.PREEMPT:
            self.emit(f"b[{top_position}] |= 1")
        elif records_left:
            self.emit(f"b[{layout.tasks[t].left_with}] = b[{cpu.pkrs}]")
        self.handler(ir.Hook.SWITCH_OUT, None, Scope(t, c, 0))
        if u < 0:
            self.emit(f"b[{cpu.running}] = {NONE}")
            self.emit(f"return ({self.eid}, bytes(b), 0)")
            return
        self.switch_in(c, u)

    def _dispatch(self, c: int, u: int) -> None:
        self.eid = self.c.event_ids[Event(Action.DISPATCH, c, -1, target=u)]
        self.emit("b = bytearray(s)")
        self.switch_in(c, u)

    def switch_in(self, c: int, u: int) -> None:
        layout = self.system.layout
        cpu, task = layout.cpus[c], layout.tasks[u]
        self.emit(f"b[{cpu.running}] = {u}")
        self.handler(ir.Hook.SWITCH_IN, None, Scope(u, c, 0))
        # the resumed frame: frames[n - 1] sits at frame_count + n
        self.emit(f"code = b[{task.frame_count} + b[{task.frame_count}]]")
        self.emit(f"return ({self.eid}, bytes(b), {BIT[ir.Property.NO_STALE]} "
                  f"if OBS[code] and b[{cpu.pkrs}] != b[{task.left_with}] else 0)")

    # ---- statements ----------------------------------------------------------------

    def handler(self, hook: ir.Hook, kind: int | None, scope: Scope) -> None:
        handler = self.system.strategy.handler_for(hook, kind)
        if handler:
            self.block(handler.body, scope, 1)

    def block(self, body, scope: Scope, depth: int) -> None:
        if not body:
            self.emit("pass", depth)
        for statement in body:
            self.statement(statement, scope, depth)

    def value(self, value, scope: Scope) -> str:
        if isinstance(value, ir.Init):
            return "0"
        return f"b[{self.system.position(value, scope)}]"

    def statement(self, statement, scope: Scope, depth: int) -> None:
        system, emit = self.system, self.emit
        if isinstance(statement, ir.Assign):
            emit(f"b[{system.position(statement.target, scope)}] = {self.value(statement.value, scope)}", depth)
        elif isinstance(statement, ir.Push):
            index, first = system.stack_position(statement.stack, scope)
            size = system.strategy.storages[statement.stack].size
            emit(f"d = b[{index}]", depth)
            emit(f"if d == {size}: return ({self.eid}, None, {BIT[ir.Property.NO_OVERFLOW]})", depth)
            emit(f"b[{first} + d] = {self.value(statement.value, scope)}", depth)
            emit(f"b[{index}] = d + 1", depth)
        elif isinstance(statement, ir.Pop):
            index, first = system.stack_position(statement.stack, scope)
            emit(f"d = b[{index}]", depth)
            emit(f"if d == 0: return ({self.eid}, None, {BIT[ir.Property.NO_UNDERFLOW]})", depth)
            emit(f"b[{system.position(statement.target, scope)}] = b[{first - 1} + d]", depth)
            emit(f"b[{first - 1} + d] = 0", depth)  # above the top: unreadable until pushed again
            emit(f"b[{index}] = d - 1", depth)
        else:
            op = "==" if statement.equal else "!="
            emit(f"if {self.value(statement.left, scope)} {op} {self.value(statement.right, scope)}:", depth)
            self.block(statement.then, scope, depth + 1)
            if statement.otherwise:
                emit("else:", depth)
                self.block(statement.otherwise, scope, depth + 1)
