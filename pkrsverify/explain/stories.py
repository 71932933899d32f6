"""How each property's violation is told: one line of why, and the culprit story.

Each property is judged against a value the frame really had (docs/semantics.md),
so each story has the same shape: where the expected value was put, what
overwrote it or why it was never put anywhere, and which step handed the
wrong value back. The sentence names steps, events and spec lines; the
Blame tuple says the same thing with locations, the culprit statement first
(the one SARIF points at).

`STORIES` holds one entry per kind of property, told for the register the
property judges; a kind without one is an error when this module is
imported, never a sentence borrowed from another.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..front import ir
from ..result import Blame
from ..semantics.events import Action
from ..semantics.system import System
from .provenance import Record, Write
from .words import describe_event, event_phrase, source_ref, top_kind, value_name

K = ir.PropertyKind


@dataclass(frozen=True, slots=True)
class Story:
    why: Callable        # (_Story) -> one line: why the last step breaks the property
    culprit: Callable    # (_Story) -> (sentence, blame)


def tell(system: System, prop: ir.Property, rec: Record) -> tuple[str, str, tuple[Blame, ...]]:
    """(why, culprit sentence, blame) of a violation of `prop` at the last step of `rec`."""
    story = STORIES[prop.kind]
    teller = _Story(system, rec, prop)
    why = story.why(teller)
    culprit, blame = story.culprit(teller)
    return why, culprit, blame


class _Story:
    def __init__(self, system: System, rec: Record, prop: ir.Property):
        self.system = system
        self.prop = prop
        self.rec = rec
        self.path = rec.path
        self.n = len(rec.path)
        self.last = rec.path[-1]
        self.event = self.last.step.event
        self.strategy = system.strategy
        self.layout = system.layout
        strategy = system.strategy
        register = strategy.register(prop.register) if prop.register else None
        if prop.storage is not None:  # a shadow: the register it shadows
            register = strategy.registers[next(s.shadows for s in strategy.storages if s.name == prop.storage)]
        self.r = register.index if register is not None else 0  # the register judged (stack properties: the first)
        self.R = system.strategy.registers[self.r].name
        self.pkrs = self.layout.cpus[self.event.cpu].registers[self.r]  # its position on this CPU
        self.blame: list[Blame] = []

    # ---- words --------------------------------------------------------------------
    def phrase(self, step: int) -> str:
        return event_phrase(self.system, self.path, step)

    @staticmethod
    def line(statement) -> str:
        return f"line {statement.span.line}"

    def by(self, write: Write, other: Write | None) -> str:
        """How `write` was made, next to `other` made by a statement too: "by the same statement"."""
        if write.how == "write":  # a fresh value: a write event's, or a delivery's (`delivers R`)
            delivered = self.path[write.step - 1].step.event.action is Action.ENTER
            return "by its delivery" if delivered else "by the write itself"
        if write.how == "clear":
            return "as its frame went away"
        if other is not None and other.statement is write.statement:
            return "by the same statement"
        return f"by `{write.statement.span.text}` ({self.line(write.statement)})"

    def told(self, write: Write | None) -> str:
        """Where a value came from, as a clause: "written at step 2 by the write in the syscall"."""
        if write is None:
            return "there since boot"
        if write.how == "write":
            return f"written at step {write.step} by {self.phrase(write.step)}"
        if write.how == "statement":
            return f"put there at step {write.step} by {self.phrase(write.step)} ({self.line(write.statement)})"
        return f"left there at step {write.step}"

    def saved_at(self, entry_step: int) -> str:
        """What the entry of the frame did with the value it interrupted."""
        if not entry_step:
            return ""
        # the register itself, or a per-CPU shadow of it (`saved = pkrs_cache`: the value without a RDMSR)
        shadows = [s.index for s in self.strategy.storages if s.shadows == self.r]
        pkrs = {cpu.registers[self.r] for cpu in self.layout.cpus} | {
            cpu.cells[i] for cpu in self.layout.cpus for i in shadows if i in cpu.cells}
        saves = [w for w in self.rec.writes if w.step == entry_step and w.how == "statement" and w.source in pkrs]
        if not saves:
            return f"; step {entry_step}, {self.phrase(entry_step)}, had saved nothing"
        save = saves[0]
        return (f"; step {entry_step}, {self.phrase(entry_step)}, had saved it in {save.where} "
                f"({self.line(save.statement)})")

    def blame_statement(self, role: str, write: Write | None, message: str) -> None:
        if write is not None and write.how == "statement":
            self.blame.append(Blame(role, write.step, source_ref(write.statement.span), message))
        elif write is not None:
            self.blame.append(Blame(role, write.step, None, message))

    def blame_missing(self, hook: ir.Hook, kind: int | None, message: str) -> None:
        """Blame a handler that is not there: at the handler that leaves this kind out, else the strategy."""
        listed = next((h for h in self.strategy.handlers if h.hook is hook and h.kinds is not None), None)
        span = listed.span if listed is not None and kind is not None else self.strategy.span
        self.blame.append(Blame("missing", 0, source_ref(span, first_line_only=True), message))

    def handler_missing(self, hook: ir.Hook, kind: int | None) -> str:
        handler = self.strategy.handler_for(hook, kind)
        name = f"on {hook.value}"
        if handler is None:
            what = f"`{name}` applies to {self.system.kinds[kind].name}" if kind is not None else f"`{name}`"
            return f"no {what}"
        if _sets(handler.body, self.r, guarded=False):
            return f"its `{name}` sets {self.R} only inside an `if`, whose branch was not taken here"
        return f"its `{name}` does not set {self.R}"

    def done(self, sentence: str) -> tuple[str, tuple[Blame, ...]]:
        return sentence, tuple(self.blame)

    # ---- the stories ------------------------------------------------------------------
    def restore(self) -> Write | None:
        """The last statement of the final step that set the register, if any."""
        writes = [w for w in self.rec.writes_at(self.n, self.pkrs) if w.how == "statement"]
        return writes[-1] if writes else None

    def overwritten(self, restore: Write, expected: int, whom: str, since: str, entry_step: int = 0) -> str:
        """The final step copied the wrong value out of a cell: tell who saved and who overwrote."""
        v = value_name
        got = restore.value
        cell = restore.origin  # what the cell held when the restore read it
        where = self.cell_name(restore)
        if cell is None:
            self.blame_statement("restored", restore, f"restores {v(got)} from {where}, never written")
            return (f"step {self.n}, {self.phrase(self.n)}, restored {v(got)} from {where} "
                    f"({self.line(restore.statement)}), which nothing had written; {whom} expected {v(expected)}"
                    + self.saved_at(entry_step))
        earlier = self.rec.history(restore.source, before=cell)
        saver = None
        for write in reversed(earlier):
            if write.how == "clear":  # its frame or stack entry went away: older values are another's
                break
            if write.value == expected:
                saver = write
                break
        if saver is None:
            self.blame_statement("restored", restore, f"restores {v(got)}, not {v(expected)}")
            self.blame_statement("set", cell, f"puts {v(got)} in {where}")
            return (f"step {self.n}, {self.phrase(self.n)}, restored {v(got)} from {where} "
                    f"({self.line(restore.statement)}), {self.told(cell)}; it never held {v(expected)}, "
                    f"the value {whom} had {since}" + self.saved_at(entry_step))
        self.blame_statement("overwrote", cell, f"overwrites the {v(expected)} saved at step {saver.step}")
        self.blame_statement("saved", saver, f"saves {v(expected)} in {where}")
        self.blame_statement("restored", restore, f"restores {v(got)} instead of {v(expected)}")
        saved = (f"step {saver.step}, {self.phrase(saver.step)}, saved {v(expected)} in {where} "
                 f"({self.line(saver.statement)})" if saver.how == "statement"
                 else f"{where} held {v(expected)} from step {saver.step}")
        return (f"{saved}; step {cell.step}, {self.phrase(cell.step)}, overwrote it with {v(cell.value)} "
                f"{self.by(cell, saver)}; step {self.n}, {self.phrase(self.n)}, restored {v(got)} to "
                f"{whom}, which expected {v(expected)}")

    def cell_name(self, restore: Write) -> str:
        origin = restore.origin
        return origin.where if origin is not None else self.layout.names[restore.source]

    def lost(self):
        v = value_name
        task = self.layout.tasks[self.event.task]
        before = self.last.before
        slot = before[task.frame_count] - 1
        expected = before[task.interrupted[slot][self.r]]
        below = self.system.kinds[self.layout.kind_of(before[task.frames[slot - 1]])].name
        kind = self.system.kinds[self.event.kind].name
        entry_step = self.entry_step(task.interrupted[slot][self.r])
        whom = f"the {below}"
        since = f"when the {kind} entered at step {entry_step}"
        restore = self.restore()
        if restore is not None and restore.source is not None:
            return self.done(self.overwritten(restore, expected, whom, since, entry_step))
        if restore is not None:  # PKRS = INIT, or a value that is not a copy
            self.blame_statement("restored", restore, f"sets {self.R} to {v(restore.value)}")
            return self.done(f"step {self.n}, {self.phrase(self.n)}, set {self.R} to {v(restore.value)} "
                             f"({self.line(restore.statement)}), but {whom} had {v(expected)} {since}"
                             + self.saved_at(entry_step))
        got = self.last_pkrs()
        self.blame_missing(ir.Hook.EXIT, self.event.kind, f"nothing restores {self.R} on the {kind} exit")
        self.blame_statement("set", got, f"puts {v(got.value) if got else 'INIT'} in {self.R}")
        return self.done(f"step {self.n}, {self.phrase(self.n)}, left {self.R} alone "
                         f"({self.handler_missing(ir.Hook.EXIT, self.event.kind)}), so {whom} got "
                         f"{v(got.value if got else 0)}, {self.told(got)}, instead of the "
                         f"{v(expected)} it had" + self.saved_at(entry_step))

    def entry_step(self, interrupted: int) -> int:
        """The step that entered the frame whose interrupted-value ghost is at `interrupted`."""
        ghosts = [w for w in self.rec.writes if w.position == interrupted and w.how == "ghost" and w.step < self.n]
        return ghosts[-1].step if ghosts else 0

    def last_pkrs(self) -> Write | None:
        writes = [w for w in self.rec.writes if w.position == self.pkrs]
        return writes[-1] if writes else None

    def stale(self):
        v = value_name
        target = self.event.target
        task = self.layout.tasks[target]
        after = self.last.step.state
        expected = after[task.left_with[self.r]]
        left = self.rec.last.get(task.left_with[self.r])
        if left is None:
            whom, since = f"task {target}", "as a task that has never run"
        else:
            whom, since = f"task {target}", f"when it left at step {left.step}"
        restore = self.restore()
        if restore is not None and restore.source is not None:
            return self.done(self.overwritten(restore, expected, whom, since))
        if restore is not None:
            self.blame_statement("restored", restore, f"sets {self.R} to {v(restore.value)}")
            return self.done(f"step {self.n}, {self.phrase(self.n)}, set {self.R} to {v(restore.value)} "
                             f"({self.line(restore.statement)}), but {whom} had {v(expected)} {since}")
        got = self.last_pkrs()
        saved = left is not None and any(w.step == left.step and w.how == "statement" and w.source == self.pkrs
                                         for w in self.rec.writes)
        R = self.R
        if left is None:
            self.blame_missing(ir.Hook.SWITCH_IN, None, f"nothing sets {R} when a task is switched in")
            start = (f"task {target} had never run, so it must start with INIT, but nothing sets {R} "
                     f"when a task is switched in (no `on switch_in`)")
        elif saved:
            self.blame_missing(ir.Hook.SWITCH_IN, None, f"nothing loads {R} when a task is switched in")
            start = (f"task {target} left with {v(expected)} at step {left.step}, which saved it, but nothing "
                     f"loads it back (no `on switch_in`)")
        else:
            self.blame_missing(ir.Hook.SWITCH_OUT, None, f"nothing keeps {R} across a context switch")
            start = (f"task {target} left with {v(expected)} at step {left.step} and nothing kept it across "
                     f"the switch (no `on switch_out` saves {R})")
        self.blame_statement("set", got, f"puts {v(got.value) if got else 'INIT'} in {R}")
        return self.done(f"{start}; {R} holds {v(got.value if got else 0)}, {self.told(got)}; "
                         f"step {self.n}, {self.phrase(self.n)}, resumed task {target} with it")

    def fresh(self):
        v = value_name
        kind = self.system.kinds[self.event.kind].name
        restore = self.restore()
        got = self.last_pkrs()
        if restore is not None:
            self.blame_statement("set", restore, f"loads {v(restore.value)} into {self.R} on entry")
            source = (f"from {self.cell_name(restore)}, {self.told(restore.origin)}"
                      if restore.source is not None else "")
            return self.done(f"step {self.n}, {self.phrase(self.n)}, loaded {v(restore.value)} into {self.R} "
                             f"({self.line(restore.statement)}) {source}".rstrip())
        self.blame_missing(ir.Hook.ENTRY, self.event.kind, f"nothing resets {self.R} on the {kind} entry")
        self.blame_statement("set", got, f"puts {v(got.value) if got else 'INIT'} in {self.R}")
        return self.done(f"step {self.n}, {self.phrase(self.n)}, left {self.R} alone "
                         f"({self.handler_missing(ir.Hook.ENTRY, self.event.kind)}), so the {kind} starts with "
                         f"{v(got.value if got else 0)}, {self.told(got)}")

    def clobber(self):
        v = value_name
        written = self.last.fresh
        restore = self.restore()
        assert restore is not None, "a clobber is a statement of `on write` setting the register"
        self.blame_statement("restored", restore, f"sets {self.R} back to {v(restore.value)}")
        source = ""
        if restore.source is not None:
            source = f" from {self.cell_name(restore)}, {self.told(restore.origin)},"
        return self.done(f"step {self.n}'s `on write` set {self.R} to {v(restore.value)} "
                         f"({self.line(restore.statement)}){source} over the {v(written)} just written")

    def delivered(self) -> tuple[Write | None, int]:
        """The delivery the reading frame's handler must see: the ghost's write, and its value."""
        task = self.layout.tasks[self.event.task]
        slot = self.last.step.state[task.frame_count] - 1
        position = task.delivered[slot][self.r]
        writes = [w for w in self.rec.writes if w.position == position and w.how == "ghost"]
        return (writes[-1], writes[-1].value) if writes else (None, 0)

    def corrupt(self):
        v = value_name
        delivery, expected = self.delivered()
        read = self.read_value()
        since = f"step {delivery.step}, {self.phrase(delivery.step)}," if delivery else "its entry"
        changes = [w for w in self.rec.writes if w.position == self.pkrs and delivery and w.step >= delivery.step
                   and not (w.step == delivery.step and w.value == expected)]
        last = changes[-1] if changes else None
        self.blame_statement("overwrote", last, f"puts {v(last.value) if last else 'INIT'} in {self.R}")
        if last is None:
            return self.done(f"{since} left {v(expected)} in {self.R}; step {self.n}, {self.phrase(self.n)}, read "
                             f"{v(read)}")
        return self.done(f"{since} gave its handler {self.R} = {v(expected)}; step {last.step}, "
                         f"{self.phrase(last.step)}, replaced it with {v(last.value)} {self.by(last, None)} before "
                         f"the handler read it at step {self.n}, {self.phrase(self.n)}")

    def read_value(self) -> int:
        """The register's value when the handler read it: its last write at or before the read's step."""
        writes = [w for w in self.rec.writes if w.position == self.pkrs]
        return writes[-1].value if writes else 0

    def why_corrupt(self) -> str:
        _, expected = self.delivered()
        kind = top_kind(self.system, self.last.step.state, self.event.task).name
        return (f"the {kind} handler reads {self.R} = {value_name(self.read_value())}, but its own delivery gave it "
                f"{value_name(expected)}: corrupted")

    def shadowed(self) -> tuple[int, int, str]:
        """(the shadow's value, the register's, the shadow's name) on the event's CPU after the last step."""
        storage = next(s for s in self.strategy.storages if s.name == self.prop.storage)
        position = self.layout.cpus[self.event.cpu].cells[storage.index]
        after = self.last.step.state
        return after[position], after[self.pkrs], f"{storage.name}[cpu {self.event.cpu}]"

    def shadow(self):
        v = value_name
        cached, value, name = self.shadowed()
        storage = next(s for s in self.strategy.storages if s.name == self.prop.storage)
        position = self.layout.cpus[self.event.cpu].cells[storage.index]
        moved = self.last_pkrs()
        kept = [w for w in self.rec.writes if w.position == position]
        kept_last = kept[-1] if kept else None
        self.blame_statement("set", moved, f"puts {v(value)} in {self.R}")
        self.blame_statement("saved", kept_last, f"puts {v(cached)} in {name}")
        if moved is None or (kept_last is not None and kept_last.step > moved.step):
            return self.done(f"{name} was set to {v(cached)} {self.told(kept_last)}, while {self.R} holds "
                             f"{v(value)}, {self.told(moved)}")
        return self.done(f"{self.R} became {v(value)} {self.told(moved)} and nothing updated {name}, which still "
                         f"holds {v(cached)} ({self.told(kept_last)})")

    def why_shadow(self) -> str:
        cached, value, name = self.shadowed()
        return (f"kernel code runs on cpu {self.event.cpu} with {self.R} = {value_name(value)}, but {name} says "
                f"{value_name(cached)}: the shadow is stale")

    def stack(self):
        fatal = self.rec.fatal
        assert fatal is not None and fatal.step == self.n, "an overflow or underflow ends at a fatal push or pop"
        self.blame.append(Blame("pushed" if fatal.push else "popped", self.n, source_ref(fatal.statement.span),
                                f"{'pushes onto a full' if fatal.push else 'pops from an empty'} {fatal.where}"))
        live: list = []
        for op in self.rec.stack_ops:
            if op.where == fatal.where:
                if op.push:
                    live.append(op)
                elif live:
                    live.pop()
        if fatal.push:
            steps = ("step " if len(live) == 1 else "steps ") + ", ".join(str(op.step) for op in live)
            lines = sorted({op.statement.span.line for op in live})
            where = ("line " if len(lines) == 1 else "lines ") + ", ".join(map(str, lines))
            entries = "its only entry" if fatal.size == 1 else f"all {fatal.size} entries"
            return self.done(f"{steps} pushed onto {fatal.where} ({where}) and nothing popped; "
                             f"step {self.n}, {self.phrase(self.n)}, found {entries} taken "
                             f"({self.line(fatal.statement)})")
        pushes = [op for op in self.rec.stack_ops if op.where == fatal.where and op.push]
        history = (f"every push onto it (steps {', '.join(str(op.step) for op in pushes)}) was popped already"
                   if pushes else "nothing had been pushed onto it")
        extra = ""
        if self.event.action is Action.EXIT:
            task = self.layout.tasks[self.event.task]
            entry = self.entry_step(task.interrupted[self.last.before[task.frame_count] - 1][0])
            if entry and not any(op.step == entry and op.push for op in self.rec.stack_ops):
                extra = f"; step {entry}, {self.phrase(entry)}, pushed nothing"
        return self.done(f"step {self.n}, {self.phrase(self.n)}, popped from {fatal.where} "
                         f"({self.line(fatal.statement)}), which was empty: {history}{extra}")

    # ---- one line each: why the last step breaks the property ---------------------------------
    def why_fresh(self) -> str:
        pkrs = self.last.step.state[self.pkrs]
        return (f"{self.system.kinds[self.event.kind].name} starts its handler with {self.R} = {value_name(pkrs)}, "
                f"not INIT: the value of the code it interrupted leaks into it")

    def why_lost(self) -> str:
        before, after = self.last.before, self.last.step.state
        task = self.layout.tasks[self.event.task]
        expected = before[task.interrupted[before[task.frame_count] - 1][self.r]]
        below = top_kind(self.system, after, self.event.task).name
        return (f"exit {self.system.kinds[self.event.kind].name} leaves {self.R} = {value_name(after[self.pkrs])}, "
                f"but the {below} below it had {value_name(expected)}: lost")

    def why_stale(self) -> str:
        after, target = self.last.step.state, self.event.target
        left = after[self.layout.tasks[target].left_with[self.r]]
        where = top_kind(self.system, after, target).name
        return (f"task {target} resumes in {where} with {self.R} = {value_name(after[self.pkrs])}, but it left with "
                f"{value_name(left)}: stale")

    def why_clobber(self) -> str:
        return (f"the write of {value_name(self.last.fresh)} is undone by the `on write` actions: "
                f"{self.R} = {value_name(self.last.step.state[self.pkrs])}: clobbered")

    def why_overflow(self) -> str:
        stack = self.last.step.stack
        size = next(s.size for s in self.strategy.storages if s.name == stack)
        return (f"{describe_event(self.system, self.event)} pushes onto {stack}, already full with {size} entries: "
                f"overflow")

    def why_underflow(self) -> str:
        return f"{describe_event(self.system, self.event)} pops from {self.last.step.stack}, which is empty: underflow"


STORIES: dict[ir.PropertyKind, Story] = {
    K.FRESH: Story(_Story.why_fresh, _Story.fresh),
    K.NO_LOST: Story(_Story.why_lost, _Story.lost),
    K.NO_STALE: Story(_Story.why_stale, _Story.stale),
    K.NO_CLOBBER: Story(_Story.why_clobber, _Story.clobber),
    K.NO_CORRUPT: Story(_Story.why_corrupt, _Story.corrupt),
    K.SHADOW: Story(_Story.why_shadow, _Story.shadow),
    K.NO_OVERFLOW: Story(_Story.why_overflow, _Story.stack),
    K.NO_UNDERFLOW: Story(_Story.why_underflow, _Story.stack),
}
_untold = [k.value for k in ir.PropertyKind if k not in STORIES]
if _untold:  # a new property needs its story here: no report may borrow another property's words
    raise ImportError(f"explain/stories.py tells no story for {', '.join(_untold)}")




def _sets(body, register: int, guarded: bool) -> bool:
    """Does a block set the register inside an `if` (`guarded` tells whether `body` is inside one)?"""
    for statement in body:
        if isinstance(statement, (ir.Assign, ir.Pop)) and isinstance(statement.target, ir.Reg) \
                and statement.target.register == register and guarded:
            return True
        if isinstance(statement, ir.If) and (_sets(statement.then, register, True)
                                             or _sets(statement.otherwise, register, True)):
            return True
    return False


__all__ = ["tell", "STORIES", "Story"]
