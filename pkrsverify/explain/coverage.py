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


def coverage(strategy: ir.Strategy, taken, max_nesting: int) -> Coverage:
    """Coverage from the distinct events a search took."""
    kinds = strategy.model.kinds
    table = ev.table(strategy)
    entered = {kinds[e.kind].name for e in taken if e.action is Action.ENTER}
    exited = {kinds[e.kind].name for e in taken if e.action is Action.EXIT}
    ran = {id(h.handler) for e in taken for h in table.template(e).handlers()}
    handlers = [(handler_name(strategy, h), id(h) in ran) for h in strategy.handlers]
    entries = strategy.model.entries
    return Coverage(tuple(k.name for k in entries if k.name in entered),
                    tuple(k.name for k in entries if k.name in exited),
                    tuple(name for name, did in handlers if did), max_nesting,
                    tuple(k.name for k in entries if k.name not in entered),
                    tuple(name for name, did in handlers if not did))


def handler_name(strategy: ir.Strategy, handler: ir.Handler) -> str:
    if handler.kinds is None:
        return f"on {handler.hook.value}"
    names = ", ".join(k.name for k in strategy.model.kinds if k.index in handler.kinds)
    return f"on {handler.hook.value}({names})"


__all__ = ["coverage", "handler_name"]
