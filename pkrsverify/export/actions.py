"""The table's operations as Promela: one inline per handler, one per event template.

Inside an inline `t` is the task whose scope the code runs in (for a
switch-in handler, the incoming task), `c` its CPU and `u` the incoming
task of a switch; frame storage and the interrupted value belong to the
frame `task[t].top` (the one entered, or exited). A push onto a full stack
or a pop from an empty one asserts its property and sets `fatal`: the step
then ends in the one halted state (promela.py), and any later push or pop
of the same step does nothing, so that only the first fatal operation is
reported, as in semantics/system.py; a check after it is not made.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..front import ir
from ..semantics import events as ev
from ..semantics.events import Whose
from .names import Names, comment, flag

P = ir.Property


@dataclass(frozen=True, slots=True)
class Actions:
    strategy: ir.Strategy
    names: Names
    asserted: frozenset[ir.Property]

    # ---- locations ---------------------------------------------------------------------------

    def task(self, whose: Whose) -> str:
        return "t" if whose is Whose.TASK else "u"

    def ghost(self, name: str, register: int) -> str:
        """A ghost field of Task: `interrupted`, or `interrupted_cr2` where the spec has several registers."""
        several = len(self.strategy.registers) > 1 or name == "delivered"
        return f"{name}_{self.names.register[register]}" if several else name

    def value(self, value, t: str = "t") -> str:
        """A value in Promela; `t` names the task of Whose.TASK (a handler inline's own `t`)."""
        if isinstance(value, ev.Init):
            return "INIT"
        if isinstance(value, ev.Fresh):
            return "FRESH"
        if isinstance(value, ev.Register):
            return f"cpu[c].{self.names.register[value.register]}"
        if isinstance(value, ev.Interrupted):
            return f"task[{t}].{self.ghost('interrupted', value.register)}[task[{t}].top]"
        if isinstance(value, ev.Delivered):
            return f"task[{t}].{self.ghost('delivered', value.register)}[task[{t}].top]"
        task = t if value.whose is Whose.TASK else "u"
        if isinstance(value, ev.LeftWith):
            return f"task[{task}].{self.ghost('left_with', value.register)}"
        storage = self.strategy.storages[value.storage]
        name = self.names.field[storage.index]
        return {ir.Place.TASK: f"task[{task}].{name}", ir.Place.CPU: f"cpu[c].{name}",
                ir.Place.GLOBAL: f"globals.{name}"}.get(storage.place, f"task[{task}].{name}[task[{task}].top]")

    def stack(self, op, t: str = "t") -> tuple[str, str, int]:
        storage = self.strategy.storages[op.stack]
        task = t if op.whose is Whose.TASK else "u"
        owner = f"task[{task}]" if storage.place is ir.Place.TASK_STACK else "cpu[c]"
        name = f"{owner}.{self.names.field[op.stack]}"
        return name, f"{name}_index", storage.size

    def check(self, prop: ir.Property, condition: str, indent: str) -> list[str]:
        """The property's flag: 0 when the step violates it (not after a fatal push or pop)."""
        if prop not in self.asserted:
            return []
        name = flag(prop)
        return [f"{indent}{name} = " + ("0;" if condition == "false" else f"({condition});"),
                f"{indent}assert({name});",
                f"{indent}{name} = 1;"]

    # ---- statements (the handlers' bodies) -------------------------------------------------------

    def statements(self, ops, indent: str) -> list[str]:
        out = []
        for op in ops:
            if isinstance(op, ev.Check):  # a `read`: its check (then its ghost is cleared, by a Copy), asserted
                if op.property in self.asserted:  # at the end of the step: a later fatal push or pop voids it
                    out.append(f"{indent}{flag(op.property)} = {flag(op.property)} && ({self.condition(op)});")
                continue
            out.append(f"{indent}/* {comment(op.statement.span.text.splitlines()[0])} */")
            if isinstance(op, ev.Copy):
                out.append(f"{indent}{self.value(op.dst)} = {self.value(op.src)};")
            elif isinstance(op, ev.Push):
                entries, index, size = self.stack(op)
                out += [f"{indent}if",
                        f"{indent}:: !fatal && {index} == {size} ->  /* full: the kernel BUG()s */",
                        *self.check(P.NO_OVERFLOW, "false", indent + "    "),
                        f"{indent}    fatal = 1",
                        f"{indent}:: !fatal && {index} < {size} ->",
                        f"{indent}    {entries}[{index}] = {self.value(op.src)};",
                        f"{indent}    {index}++",
                        f"{indent}:: else -> skip  /* an earlier push or pop of this step was fatal */",
                        f"{indent}fi;"]
            elif isinstance(op, ev.Pop):
                entries, index, _ = self.stack(op)
                out += [f"{indent}if",
                        f"{indent}:: !fatal && {index} == 0 ->  /* empty: the kernel BUG()s */",
                        *self.check(P.NO_UNDERFLOW, "false", indent + "    "),
                        f"{indent}    fatal = 1",
                        f"{indent}:: !fatal && {index} > 0 ->",
                        f"{indent}    {index}--;",
                        f"{indent}    {self.value(op.dst)} = {entries}[{index}];",
                        f"{indent}    {entries}[{index}] = INIT  /* above the top: unreadable until pushed again */",
                        f"{indent}:: else -> skip  /* an earlier push or pop of this step was fatal */",
                        f"{indent}fi;"]
            else:
                assert isinstance(op, ev.Branch)
                test = "==" if op.equal else "!="
                out += [f"{indent}if",
                        f"{indent}:: {self.value(op.left)} {test} {self.value(op.right)} ->",
                        *(self.statements(op.then, indent + "    ") or [f"{indent}    skip"]),
                        f"{indent}:: else ->",
                        *(self.statements(op.otherwise, indent + "    ") or [f"{indent}    skip"]),
                        f"{indent}fi;"]
        if out:
            out[-1] = out[-1].removesuffix(";")
        return out

    def inlines(self) -> list[str]:
        """One inline per handler of the spec, in the spec's order."""
        out = ["/* ---- the strategy's actions, one inline per handler of the spec ----",
               "   t: the task in scope, c: its CPU; frame storage belongs to the frame task[t].top. */"]
        for handler, name in zip(self.strategy.handlers, self.names.handler):
            pieces = ev.parts(handler.body)[0]
            for i, piece in enumerate(pieces, 1):  # a handler split at windows: an inline per part
                body = ev.statements(piece, Whose.TASK, self.strategy)
                part = f", part {i} of {len(pieces)}" if len(pieces) > 1 else ""
                out += [f"/* {comment(handler.span.text.splitlines()[0])}{part} */",
                        f"inline {self.inline(name, i, len(pieces))}(t, c) {{",
                        *(self.statements(body, "    ") or ["    skip"]),
                        "}"]
        return out

    @staticmethod
    def inline(name: str, part: int, parts: int) -> str:
        return name if parts == 1 else f"{name}_part{part}"

    def call(self, op: ev.Handler) -> str:
        """The call of a handler's inline (the part of it that this event runs), in the scope of the task it
        runs for."""
        name = self.names.handler[self.strategy.handlers.index(op.handler)]
        pieces = ev.parts(op.handler.body)[0]
        part = next(i for i, piece in enumerate(pieces, 1)
                    if ev.statements(piece, op.whose, self.strategy) == op.body)
        return f"{self.inline(name, part, len(pieces))}({self.task(op.whose)}, c)"

    # ---- the events ----------------------------------------------------------------------------------

    def event(self, template: ev.Template, kind_constant: str | None) -> list[str]:
        """The body of one template's inline (t: the acting task, c: its CPU, u: the incoming task)."""
        out = self._event(template, kind_constant)
        # a `read` inside a handler set its flag; the step's verdict on it stands only if the step was not fatal
        read = {c.property for op in template.ops if isinstance(op, ev.Handler) for c in ev.walk(op.body)
                if isinstance(c, ev.Check) and c.property in self.asserted}
        verdicts = [line for prop in sorted(read, key=lambda p: p.value)
                    for line in (f"    {flag(prop)} = fatal || {flag(prop)};", f"    assert({flag(prop)});",
                                 f"    {flag(prop)} = 1;")]
        end = next((i for i, line in enumerate(out) if line.strip().startswith("finish(")), len(out))
        return out[:end] + verdicts + out[end:]  # before finish(), which halts a fatal step

    def _event(self, template: ev.Template, kind_constant: str | None) -> list[str]:
        out = []
        for op in template.ops:
            if isinstance(op, ev.Copy):
                out.append(f"    {self.value(op.dst)} = {self.value(op.src)};")
            elif isinstance(op, ev.Handler):
                out.append(f"    {self.call(op)};")
            elif isinstance(op, ev.Check):
                switched = template.target is ev.Target.TASK or template.cpu_idle
                out += self.check(op.property, f"fatal || {self.condition(op, 'u' if switched else 't')}", "    ")
            elif isinstance(op, ev.OpenFrame):
                out.append(f"    push_frame(t, {kind_constant});")
            elif isinstance(op, ev.CloseFrame):
                out.append("    pop_frame(t);")  # after a fatal step halt() resets the whole state anyway
            elif isinstance(op, ev.SetPhase):
                out.append(f"    task[t].phase[task[t].top] = {op.phase};")
            elif isinstance(op, ev.Leave):
                out.append("    cpu[c].running = IDLE;")
            else:
                assert isinstance(op, ev.Resume)
                out.append("    cpu[c].running = u;")
        return out + ["    finish()"]

    def condition(self, op: ev.Check, running: str = "t") -> str:
        """The check holds: `when` is false, or the two values are equal (`running`: the task on the CPU
        after the event, for a RUNNING check)."""
        equal = f"{self.value(op.left)} == {self.value(op.right)}"
        if op.when is ev.When.ALWAYS:
            return equal
        if op.when is ev.When.BELOW:
            return f"user_mode(task[t].kind[task[t].top - 1]) || {equal}"
        who = "u" if op.when is ev.When.INCOMING else running
        user = "" if op.user_observes else f" || user_mode(top_kind({who}))"
        return f"task[{who}].phase[task[{who}].top] != 0{user} || {equal}"
