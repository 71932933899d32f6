"""Coverage of a search, against vacuous verdicts.

"Holds" over a model that never nests, or a handler that never ran, is
worthless; so every result says which entry kinds were entered, which
handlers ran, and warns about declared ones that never were.
"""
from __future__ import annotations

from ..front import ir
from ..result import Coverage
from ..semantics.system import Action, Event


def coverage(strategy: ir.Strategy, events, max_nesting: int) -> Coverage:
    """Coverage from the distinct events a search took."""
    kinds = strategy.model.kinds
    entered = {kinds[e.kind].name for e in events if e.action is Action.ENTER}
    exited = {kinds[e.kind].name for e in events if e.action is Action.EXIT}
    actions = {e.action for e in events}
    ran = []
    for handler in strategy.handlers:
        if _ran(strategy, handler, events, actions):
            ran.append(handler_name(strategy, handler))
    never_entered = tuple(k.name for k in strategy.model.entries if k.name not in entered)
    never_ran = tuple(handler_name(strategy, h) for h in strategy.handlers if handler_name(strategy, h) not in ran)
    return Coverage(tuple(k.name for k in strategy.model.entries if k.name in entered),
                    tuple(k.name for k in strategy.model.entries if k.name in exited),
                    tuple(ran), max_nesting, never_entered, never_ran)


def handler_name(strategy: ir.Strategy, handler: ir.Handler) -> str:
    if handler.kinds is None:
        return f"on {handler.hook.value}"
    names = ", ".join(k.name for k in strategy.model.kinds if k.index in handler.kinds)
    return f"on {handler.hook.value}({names})"


def _ran(strategy: ir.Strategy, handler: ir.Handler, events, actions) -> bool:
    hook = handler.hook
    if hook is ir.Hook.WRITE:
        return Action.WRITE in actions
    if hook is ir.Hook.SWITCH_OUT:
        return bool(actions & {Action.SCHEDULE, Action.PREEMPT})
    if hook is ir.Hook.SWITCH_IN:
        return any(e.action is Action.DISPATCH or (e.action in (Action.SCHEDULE, Action.PREEMPT) and e.target >= 0)
                   for e in events)
    action = Action.ENTER if hook is ir.Hook.ENTRY else Action.EXIT
    return any(e.action is action and strategy.handler_for(hook, e.kind) is handler for e in events)


__all__ = ["coverage", "handler_name", "Event"]
