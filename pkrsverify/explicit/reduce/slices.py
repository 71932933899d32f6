"""Independent registers, checked apart (the `slices` reduction).

A spec about several registers whose statements never let a value of one
reach the storage or the checks of another is several systems in one: the
structure (which task runs where, its frames and their phases) is shared,
and each register with the storage its values flow through is a slice of
its own. The whole state space is then the product of the slices' (three
independent registers at (2,1,8): 1.3 million states), while each slice is
as small as the design with one register.

Why checking each slice alone is exact. A slice is a union-find class of
registers and storages: an assignment joins its target and its value, a
`read R` and a `cpu shadows R` storage join with R, and an `if` joins its two
values with everything its branches write (what a branch does depends on the
condition). Guards read only the structure (no value), and a check of a
register's property reads only that register, its ghosts and its slice. So
the projection of a step of the whole system onto the structure and one
slice is a step of the slice's own system (the same event), or changes
nothing there (a write of another slice's register): the two are stutter
equivalent. Every verdict is the same, and so is every shortest length: a
shortest counterexample of the whole system, with the other slices' writes
left out, is a path of the slice no longer than it, and a path of the slice
is a path of the whole system as it is. Stacks are left out of this: a full
push or an empty pop ends a path (BUG()) for every slice at once, which the
projection would not see, so a spec with a stack is searched whole.

Each slice's counterexample is confirmed again on the whole system
(`confirm`), so that an error in this argument could only make the search
fail loudly, never report a wrong trace.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ...front import ir


@dataclass(frozen=True, slots=True)
class Slice:
    """One slice as a spec of its own: the strategy, the properties asked of it, and its registers'
    indices in the whole strategy (a WRITE event of the slice names register `registers[i]` of the whole)."""

    strategy: ir.Strategy
    properties: tuple[ir.Property, ...]
    registers: tuple[int, ...]


class _Classes:
    """Union-find over ("register", index) and ("storage", index)."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, *xs) -> None:
        roots = [self.find(x) for x in xs]
        for root in roots[1:]:
            self.parent[root] = roots[0]


def _node(value):
    if isinstance(value, ir.Reg):
        return ("register", value.register)
    if isinstance(value, ir.Cell):
        return ("storage", value.storage)
    return None  # INIT


def _written(body) -> list:
    out = []
    for s in body:
        if isinstance(s, ir.Assign):
            out.append(_node(s.target))
        elif isinstance(s, ir.If):
            out += _written(s.then) + _written(s.otherwise)
    return [n for n in out if n is not None]


def _touched(body) -> list:
    out = []
    for s in body:
        if isinstance(s, ir.Assign):
            out += [_node(s.target), _node(s.value)]
        elif isinstance(s, ir.Read):
            out.append(("register", s.register))
        elif isinstance(s, ir.If):
            out += [_node(s.left), _node(s.right)] + _touched(s.then + s.otherwise)
    return [n for n in out if n is not None]


def _join_statements(body, classes: _Classes) -> None:
    for s in body:
        if isinstance(s, ir.Assign):
            classes.join(*(n for n in (_node(s.target), _node(s.value)) if n is not None))
        elif isinstance(s, ir.Read):
            classes.find(("register", s.register))
        elif isinstance(s, ir.If):
            nodes = [n for n in (_node(s.left), _node(s.right)) if n is not None] + _written(s.then + s.otherwise)
            if nodes:
                classes.join(*nodes)
            _join_statements(s.then + s.otherwise, classes)


def slices(strategy: ir.Strategy, wanted: tuple[ir.Property, ...]) -> list[Slice] | None:
    """The slices of a spec, or None where there is nothing to gain (one register, a stack, or registers
    whose values meet)."""
    if len(strategy.registers) < 2 or any(s.place.is_stack for s in strategy.storages):
        return None
    classes = _Classes()
    for r in strategy.registers:
        classes.find(("register", r.index))
    for s in strategy.storages:
        if s.shadows is not None:
            classes.join(("storage", s.index), ("register", s.shadows))
    for handler in strategy.handlers:
        _join_statements(handler.body, classes)
    for r in strategy.registers:  # a write of r runs its `on write`: what that touches is r's business
        handler = strategy.handler_for(ir.Hook.WRITE, r.index) if r.software else None
        touched = _touched(handler.body) if handler is not None else []
        if touched:
            classes.join(("register", r.index), *touched)
    groups: dict = {}
    for r in strategy.registers:
        groups.setdefault(classes.find(("register", r.index)), []).append(r.index)
    if len(groups) < 2:
        return None
    out = []
    for root, registers in groups.items():
        storages = [s.index for s in strategy.storages if classes.find(("storage", s.index)) == root]
        out.append(_project(strategy, wanted, tuple(registers), tuple(storages), first=not out))
    return out


def _project(strategy: ir.Strategy, wanted, registers: tuple[int, ...], storages: tuple[int, ...],
             first: bool) -> Slice:
    """The slice as a strategy: its registers and storages renumbered, the statements that touch them."""
    reg = {old: new for new, old in enumerate(registers)}
    sto = {old: new for new, old in enumerate(storages)}
    names = {strategy.registers[i].name for i in registers} | {strategy.storages[i].name for i in storages}

    def value(v):
        if isinstance(v, ir.Reg):
            return ir.Reg(reg[v.register])
        if isinstance(v, ir.Cell):
            return ir.Cell(sto[v.storage])
        return v

    def mine(v) -> bool:
        return (isinstance(v, ir.Reg) and v.register in reg) or (isinstance(v, ir.Cell) and v.storage in sto)

    def statements(body):
        out = []
        for s in body:
            if isinstance(s, ir.Assign) and mine(s.target):
                out.append(replace(s, target=value(s.target), value=value(s.value)))
            elif isinstance(s, ir.Read) and s.register in reg:
                out.append(replace(s, register=reg[s.register]))
            elif isinstance(s, ir.Window):
                out.append(s)  # structure: every slice keeps where the code stops
            elif isinstance(s, ir.If):
                # kept where its branches write the slice: an `if` changes nothing but through what
                # its branches run (no `read` or `window` stands in one: E124), and the union-find
                # joined its condition with those writes, so the condition reads this slice or INIT.
                # One that only compares the slice's values is dropped: kept inside another slice's
                # `if`, it would keep that `if` and its foreign condition with it.
                then, otherwise = statements(s.then), statements(s.otherwise)
                if then or otherwise:
                    out.append(replace(s, left=value(s.left), right=value(s.right), then=then, otherwise=otherwise))
        return tuple(out)

    handlers = []
    for h in strategy.handlers:
        kinds = h.kinds
        if h.hook is ir.Hook.WRITE and kinds is not None:
            kinds = frozenset(reg[k] for k in kinds if k in reg)
            if not kinds:
                continue
        handlers.append(replace(h, kinds=kinds, body=statements(h.body)))
    new_registers = tuple(replace(strategy.registers[old], index=new) for new, old in enumerate(registers))
    new_storages = tuple(replace(strategy.storages[old], index=new,
                                 shadows=None if strategy.storages[old].shadows is None
                                 else reg[strategy.storages[old].shadows])
                         for new, old in enumerate(storages))
    asked = tuple(p for p in wanted if (p.register in {r.name for r in new_registers})
                  or (p.storage is not None and p.storage in names)
                  or (first and p.register is None and p.storage is None))  # the stack properties: once
    projected = replace(strategy, registers=new_registers, storages=new_storages, handlers=tuple(handlers),
                        properties=asked)
    return Slice(projected, asked, registers)


__all__ = ["Slice", "slices"]
