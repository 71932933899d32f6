"""The table of events (semantics/events.py) as Python source, one function per event and frame count.

A function takes a state (bytes) and returns (event id, next state or None,
violated properties as bits); every operation of the template becomes a
line or two on a bytearray, with the positions the layout gives for this
CPU, task, target and frame slot written in as constants, so a step is a
handful of byte moves. This is a translator of the table, not a second
statement of the semantics: tests/test_fast_successors.py holds it to
semantics/system.py, the reference interpreter.
"""
from __future__ import annotations

import functools

from ..front import ir
from ..semantics import events as ev
from ..semantics.events import Event
from ..semantics.system import INIT_VALUE
from .states import FRESH, NONE


class Generator:
    """Python source for the event functions of one Compiled."""

    def __init__(self, compiled):
        self.compiled = compiled
        self.system = compiled.system
        self.bits = compiled.bits
        layout = self.system.layout
        observes, in_body = bytearray(256), bytearray(256)
        for kind in self.system.kinds:
            in_body[layout.code(kind.index, ev.BODY)] = 1
            if not kind.user_mode:
                observes[layout.code(kind.index, ev.BODY)] = 1
        self.observes = bytes(observes)  # frame code -> it observes (kernel code, in its body)
        self.in_body = bytes(in_body)    # frame code -> in its body (user mode observes a non-supervisor register)

    def function(self, template: ev.Template, c: int, t: int, u: int, node):
        """The function of `template` for task t (IDLE for a dispatch) on CPU c, target u, at `node`."""
        event = next(ev.instances(template, c, t, [u] if u >= 0 else []))
        writer = _Function(self, template, event, node)
        source = writer.source()
        namespace = {"OBS": self.observes, "BODY": self.in_body}
        exec(_compiled(source, f"<pkrsverify {event}>"), namespace)
        f = namespace["f"]
        f.source = source
        return f


@functools.lru_cache(maxsize=16_384)
def _compiled(source: str, name: str):
    """Python's compile of a generated function, once per text: the mutants of a spec, the candidates of a
    repair and the completions of a sketch share most of their event functions, text for text."""
    return compile(source, name, "exec")


class _Function:
    def __init__(self, generator: Generator, template: ev.Template, event: Event, node):
        self.g = generator
        self.system = generator.system
        self.layout = generator.system.layout
        self.template = template
        self.event = event
        self.eid = generator.compiled.event_ids[event]
        self.n = node.n if node is not None else 0   # the acting task's frame count, as the ops change it
        self.node = node
        self.lines: list[str] = []
        self.checks: list[str] = []

    def source(self) -> str:
        self.emit("b = bytearray(s)")
        ops = list(self.template.ops)
        stacks = any(isinstance(op, (ev.Push, ev.Pop)) for op in ev.walk(ops))
        if stacks:
            self.emit("k = 0")  # the stack checks made (a push or pop may sit in a branch)
            self.checks.append("k")
        last = ops.pop() if ops and isinstance(ops[-1], ev.Check) else None
        self.block(ops, 1)
        if last is not None:
            self.checks.append(self.check_expression(last, 1))
        bits = " | ".join(f"({c})" for c in self.checks) if len(self.checks) > 1 else (self.checks or ["0"])[0]
        self.emit(f"return ({self.eid}, bytes(b), {bits})")
        return "def f(s, bytearray=bytearray, bytes=bytes):\n" + "\n".join(self.lines) + "\n"

    def emit(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)

    # ---- locations ----------------------------------------------------------------------

    def position(self, location) -> int:
        return self.system.position(location, self.event, self.n - 1)

    def value(self, value) -> str:
        if isinstance(value, ev.Fresh):
            return str(FRESH)
        position = self.position(value)
        return "0" if position == INIT_VALUE else f"b[{position}]"

    # ---- operations --------------------------------------------------------------------------

    def block(self, ops, depth: int) -> None:
        start = len(self.lines)
        for op in ops:
            getattr(self, type(op).__name__)(op, depth)
        if len(self.lines) == start and depth > 1:
            self.emit("pass", depth)

    def Copy(self, op: ev.Copy, depth: int) -> None:  # noqa: N802 - one method per op type
        self.emit(f"b[{self.position(op.dst)}] = {self.value(op.src)}", depth)

    def Push(self, op: ev.Push, depth: int) -> None:  # noqa: N802
        index, first = self.system.stack_position(op.stack, op.whose, self.event)
        size = self.system.strategy.storages[op.stack].size
        self.emit(f"d = b[{index}]", depth)
        bits = self.g.bits
        self.emit(f"k |= {bits.checked[ir.Property.NO_OVERFLOW]}", depth)
        self.emit(f"if d == {size}: return ({self.eid}, None, k | {bits.bit[ir.Property.NO_OVERFLOW]})", depth)
        self.emit(f"b[{first} + d] = {self.value(op.src)}", depth)
        self.emit(f"b[{index}] = d + 1", depth)

    def Pop(self, op: ev.Pop, depth: int) -> None:  # noqa: N802
        index, first = self.system.stack_position(op.stack, op.whose, self.event)
        self.emit(f"d = b[{index}]", depth)
        bits = self.g.bits
        self.emit(f"k |= {bits.checked[ir.Property.NO_UNDERFLOW]}", depth)
        self.emit(f"if d == 0: return ({self.eid}, None, k | {bits.bit[ir.Property.NO_UNDERFLOW]})", depth)
        self.emit(f"b[{self.position(op.dst)}] = b[{first - 1} + d]", depth)
        self.emit(f"b[{first - 1} + d] = 0", depth)  # above the top: unreadable until pushed again
        self.emit(f"b[{index}] = d - 1", depth)

    def Branch(self, op: ev.Branch, depth: int) -> None:  # noqa: N802
        test = "==" if op.equal else "!="
        self.emit(f"if {self.value(op.left)} {test} {self.value(op.right)}:", depth)
        self.block(op.then, depth + 1)
        if op.otherwise:
            self.emit("else:", depth)
            self.block(op.otherwise, depth + 1)

    def Handler(self, op: ev.Handler, depth: int) -> None:  # noqa: N802
        self.block(op.body, depth)

    def Check(self, op: ev.Check, depth: int) -> None:  # noqa: N802
        name = f"v{len(self.checks)}"
        self.emit(f"{name} = {self.check_expression(op, depth)}", depth)
        self.checks.append(name)

    def check_expression(self, op: ev.Check, depth: int) -> str:
        """The bits of a check: the violation's when the values differ, and that it was made."""
        differs = f"{self.value(op.left)} != {self.value(op.right)}"
        bit, made = self.g.bits.bit[op.property], self.g.bits.checked[op.property]
        made_or_not = f"{bit | made} if {differs} else {made}"
        if op.when is ev.When.ALWAYS:
            return made_or_not
        if op.when is ev.When.BELOW:
            return made_or_not if self.node.below_observes else "0"
        table = "BODY" if op.user_observes else "OBS"
        if op.when is ev.When.INCOMING:
            task = self.layout.tasks[self.event.target]
        else:  # RUNNING: whoever runs on the CPU now (the acting task, or the one switched in)
            switched = self.template.target is ev.Target.TASK or self.template.cpu_idle
            task = self.layout.tasks[self.event.target if switched else self.event.task]
        # the top frame: frames[n - 1] sits at frame_count + n
        name = f"code{len(self.checks)}"
        self.emit(f"{name} = b[{task.frame_count} + b[{task.frame_count}]]", depth)
        return f"({made_or_not}) if {table}[{name}] else 0"

    def OpenFrame(self, op: ev.OpenFrame, depth: int) -> None:  # noqa: N802
        task = self.layout.tasks[self.event.task]
        self.emit(f"b[{task.frames[self.n]}] = {self.layout.code(op.kind, ev.BODY)}", depth)
        self.emit(f"b[{task.frame_count}] = {self.n + 1}", depth)
        self.n += 1

    def CloseFrame(self, op: ev.CloseFrame, depth: int) -> None:  # noqa: N802
        task = self.layout.tasks[self.event.task]
        slot = self.n - 1
        # the popped frame's cells are unreachable from now on: cleared, so equal futures are equal states
        for position in (*task.ghosts(slot), *task.frame_cells[slot].values()):
            self.emit(f"b[{position}] = 0", depth)
        self.emit(f"b[{task.frames[slot]}] = {NONE}", depth)
        self.emit(f"b[{task.frame_count}] = {slot}", depth)
        self.n -= 1

    def SetPhase(self, op: ev.SetPhase, depth: int) -> None:  # noqa: N802
        position = self.layout.tasks[self.event.task].frames[self.n - 1]
        self.emit(f"b[{position}] = b[{position}] - b[{position}] % {self.layout.phases} + {op.phase}", depth)

    def Leave(self, op: ev.Leave, depth: int) -> None:  # noqa: N802
        self.emit(f"b[{self.layout.cpus[self.event.cpu].running}] = {NONE}", depth)

    def Resume(self, op: ev.Resume, depth: int) -> None:  # noqa: N802
        self.emit(f"b[{self.layout.cpus[self.event.cpu].running}] = {self.event.target}", depth)
