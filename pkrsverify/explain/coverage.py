"""Coverage of a search, against vacuous verdicts.

"Holds" over a model that never nests, or a handler that never ran, is
worthless; so every result says which entry kinds were entered, which
handlers ran, and warns about declared ones that never were. Which handler
an event runs is the table's (semantics/events.py): the templates of the
events the search took name them.
"""
from __future__ import annotations

from ..front import ir
from ..result import Coverage
from ..semantics import events as ev
from ..semantics.events import Action


def coverage(strategy: ir.Strategy, taken, max_nesting: int, checked=frozenset(), asked=(),
             nests_deeper: bool = False) -> Coverage:
    """Coverage from the distinct events a search took and the checks its steps made.

    A property the table cannot check at all for this spec (no_overflow without a push) is not
    unchecked: it holds by construction; one that some event could check but no step did is."""
    kinds = strategy.model.kinds
    table = ev.table(strategy)
    checkable = checkable_properties(table)
    unchecked = tuple(p.value for p in asked if p in checkable and p not in checked)
    entered = {kinds[e.kind].name for e in taken if e.action is Action.ENTER}
    exited = {kinds[e.kind].name for e in taken if e.action is Action.EXIT}
    ran = {id(h.handler) for e in taken for h in table.template(e).handlers()}
    handlers = [(handler_name(strategy, h), id(h) in ran) for h in strategy.handlers]
    entries = strategy.model.entries
    return Coverage(tuple(k.name for k in entries if k.name in entered),
                    tuple(k.name for k in entries if k.name in exited),
                    tuple(name for name, did in handlers if did), max_nesting,
                    tuple(k.name for k in entries if k.name not in entered),
                    tuple(name for name, did in handlers if not did), unchecked, nests_deeper)


def checkable_properties(table: ev.Table) -> frozenset[ir.Property]:
    """The properties some event of the table checks (a push checks no_overflow, a pop no_underflow)."""
    out = set()
    for op in (op for template in table.templates for op in ev.walk(template.ops)):
        if isinstance(op, ev.Check):
            out.add(op.property)
        elif isinstance(op, ev.Push):
            out.add(ir.Property.NO_OVERFLOW)
        elif isinstance(op, ev.Pop):
            out.add(ir.Property.NO_UNDERFLOW)
    return frozenset(out)


def handler_name(strategy: ir.Strategy, handler: ir.Handler) -> str:
    if handler.kinds is None:
        return f"on {handler.hook.value}"
    names = ", ".join(k.name for k in strategy.model.kinds if k.index in handler.kinds)
    return f"on {handler.hook.value}({names})"


__all__ = ["coverage", "handler_name"]
