"""The strategy's handlers as Promela: one inline per handler, one statement per line of the spec.

Inside an inline `t` is the task and `c` its CPU; frame storage belongs to
the frame `task[t].top` (the one being entered or exited). A push onto a
full stack or a pop from an empty one asserts its property and sets `fatal`:
the step then ends in the one halted state (promela.py), and any later push
or pop of the same step does nothing, so that only the first fatal operation
is reported, as in system.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..front import ir
from .names import Names, comment

P = ir.Property


@dataclass(frozen=True, slots=True)
class Actions:
    strategy: ir.Strategy
    names: Names
    asserted: frozenset[ir.Property]

    def value(self, value) -> str:
        if isinstance(value, ir.Init):
            return "INIT"
        if isinstance(value, ir.Pkrs):
            return "cpu[c].pkrs"
        storage = self.strategy.storages[value.storage]
        name = self.names.field[storage.index]
        return {ir.Place.TASK: f"task[t].{name}", ir.Place.CPU: f"cpu[c].{name}",
                ir.Place.GLOBAL: f"globals.{name}"}.get(storage.place, f"task[t].{name}[task[t].top]")

    def stack(self, index: int) -> tuple[str, str, int]:
        storage = self.strategy.storages[index]
        owner = "task[t]" if storage.place is ir.Place.TASK_STACK else "cpu[c]"
        name = f"{owner}.{self.names.field[index]}"
        return name, f"{name}_index", storage.size

    def check(self, prop: ir.Property, condition: str, indent: str) -> list[str]:
        if prop not in self.asserted:
            return []
        return [f"{indent}{prop.value} = " + ("0;" if condition == "false" else f"({condition});"),
                f"{indent}assert({prop.value});",
                f"{indent}{prop.value} = 1;"]

    def statements(self, body, indent: str) -> list[str]:
        out = []
        for statement in body:
            out.append(f"{indent}/* {comment(statement.span.text.splitlines()[0])} */")
            if isinstance(statement, ir.Assign):
                out.append(f"{indent}{self.value(statement.target)} = {self.value(statement.value)};")
            elif isinstance(statement, ir.Push):
                entries, index, size = self.stack(statement.stack)
                out += [f"{indent}if",
                        f"{indent}:: !fatal && {index} == {size} ->  /* full: the kernel BUG()s */",
                        *self.check(P.NO_OVERFLOW, "false", indent + "    "),
                        f"{indent}    fatal = 1",
                        f"{indent}:: !fatal && {index} < {size} ->",
                        f"{indent}    {entries}[{index}] = {self.value(statement.value)};",
                        f"{indent}    {index}++",
                        f"{indent}:: else -> skip  /* an earlier push or pop of this step was fatal */",
                        f"{indent}fi;"]
            elif isinstance(statement, ir.Pop):
                entries, index, _ = self.stack(statement.stack)
                out += [f"{indent}if",
                        f"{indent}:: !fatal && {index} == 0 ->  /* empty: the kernel BUG()s */",
                        *self.check(P.NO_UNDERFLOW, "false", indent + "    "),
                        f"{indent}    fatal = 1",
                        f"{indent}:: !fatal && {index} > 0 ->",
                        f"{indent}    {index}--;",
                        f"{indent}    {self.value(statement.target)} = {entries}[{index}];",
                        f"{indent}    {entries}[{index}] = INIT  /* above the top: unreadable until pushed again */",
                        f"{indent}:: else -> skip  /* an earlier push or pop of this step was fatal */",
                        f"{indent}fi;"]
            else:
                test = "==" if statement.equal else "!="
                out += [f"{indent}if",
                        f"{indent}:: {self.value(statement.left)} {test} {self.value(statement.right)} ->",
                        *(self.statements(statement.then, indent + "    ") or [f"{indent}    skip"]),
                        f"{indent}:: else ->",
                        *(self.statements(statement.otherwise, indent + "    ") or [f"{indent}    skip"]),
                        f"{indent}fi;"]
        if out:
            out[-1] = out[-1].removesuffix(";")
        return out

    def inlines(self) -> list[str]:
        out = ["/* ---- the strategy's actions, one inline per handler of the spec ----",
               "   t: the task, c: its CPU; frame storage belongs to the frame task[t].top. */"]
        for handler, name in zip(self.strategy.handlers, self.names.handler):
            out += [f"/* {comment(handler.span.text.splitlines()[0])} */",
                    f"inline {name}(t, c) {{",
                    *(self.statements(handler.body, "    ") or ["    skip"]),
                    "}"]
        return out

    def run_handler(self, hook: ir.Hook, kind: int | None = None) -> str:
        handler = self.strategy.handler_for(hook, kind)
        if handler is None:
            return "skip  /* no handler */"
        return f"{self.names.handler[self.strategy.handlers.index(handler)]}(t, c)"
