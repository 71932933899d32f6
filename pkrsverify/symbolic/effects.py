"""What each event does, as Z3 terms: guards, updates, handlers, checks.

This mirrors system.py step for step (`_enter`, `_write`, `_exit`,
`_switch`, `_execute`); the agreement tests (tests/test_agreement.py) run
both on random small strategies, so a divergence between the two is found
rather than trusted. A handler runs on an environment (key -> term): an
`if` runs both branches and merges them with `If`, and a push onto a full
stack or a pop from an empty one clears `!ok`, after which nothing the
handler does matters (the path ends there).
"""
from __future__ import annotations

import z3

from ..front import ir
from ..semantics.layout import IDLE
from ..semantics.system import Action, Event
from .encoding import DEPTH, EXITING, FRAME, INTERRUPTED, KIND, LEFT_WITH, OK, OVERFLOW, PKRS, RUN, UNDERFLOW, Effect, Encoding, Transition, count_key, top_key

P = ir.Property
TRUE, FALSE = z3.BoolVal(True), z3.BoolVal(False)


def effect(enc: Encoding, s: dict, event: Event, fresh) -> Effect:
    match event.action:
        case Action.ENTER:
            return _enter(enc, s, event)
        case Action.WRITE:
            return _write(enc, s, event, fresh)
        case Action.EXIT:
            return _exit(enc, s, event)
        case _:
            return _switch(enc, s, event)


def transition(enc: Encoding, s: dict, s2: dict, choice, fresh) -> Transition:
    """`choice` (an Int) picks one of `enc.events`; `s2` is the state after it unless it was fatal."""
    effects = [effect(enc, s, event, fresh) for event in enc.events]
    constraints = [choice >= 0, choice < len(effects)]
    constraints += [z3.Implies(choice == i, e.guard) for i, e in enumerate(effects)]
    for key, before in s.items():
        term = before
        for i in reversed(range(len(effects))):
            after = effects[i].post[key]
            if after is not before:
                term = z3.If(choice == i, after, term)
        constraints.append(s2[key] == term)
    fatal_cases = [z3.Implies(choice == i, e.ok) for i, e in enumerate(effects) if e.ok is not None]
    violated = {}
    for prop in P:
        cases = [z3.And(choice == i, e.violated[prop]) for i, e in enumerate(effects) if prop in e.violated]
        violated[prop] = z3.Or(cases) if cases else FALSE
    return Transition(tuple(constraints), z3.And(fatal_cases) if fatal_cases else TRUE, violated)


# ---- the events ----------------------------------------------------------------------

def _task_may_act(enc: Encoding, s: dict, c: int, t: int) -> z3.BoolRef:
    return z3.And(s[RUN, c] == t, z3.Not(s[EXITING, t]))


def _enter(enc: Encoding, s: dict, event: Event) -> Effect:
    c, t = event.cpu, event.task
    kind = enc.model.kinds[event.kind]
    d = s[DEPTH, t]
    guard = [_task_may_act(enc, s, c, t), enc.kind_in(s, t, kind.interrupts)]
    if enc.depth is not None:
        guard.append(d < enc.depth)
    if kind.max_frames is not None:
        guard.append(enc.count(s, t, kind) < kind.max_frames)
    slot = d + 1
    env = dict(s)
    env[INTERRUPTED, t] = z3.Store(s[INTERRUPTED, t], slot, s[PKRS, c])
    frame_storages = [x for x in enc.strategy.storages if x.place.is_frame]
    for storage in frame_storages:
        env[FRAME, storage.index] = z3.IntVal(0)  # a new frame's cells start INIT
    ok = _run(enc, env, ir.Hook.ENTRY, kind.index, t, c)
    for storage in frame_storages:
        env[storage.name, t] = z3.Store(s[storage.name, t], slot, env.pop((FRAME, storage.index)))
    env[KIND, t] = z3.Store(s[KIND, t], slot, kind.index)
    env[DEPTH, t] = slot
    if enc.prefix_counts:
        for other in enc.entries:
            key = count_key(other, t)
            env[key] = z3.Store(s[key], slot, z3.Select(s[key], d) + (1 if other is kind else 0))
    else:
        env[count_key(kind, t)] = s[count_key(kind, t)] + 1
    violated = _fatal(env, ok)
    violated[P.FRESH] = _and(ok, env[PKRS, c] != 0)
    return _done(env, s, z3.And(guard), ok, violated)


def _write(enc: Encoding, s: dict, event: Event, fresh) -> Effect:
    c, t = event.cpu, event.task
    writes = enc.kinds_where(lambda k: k.writes)
    guard = z3.And(_task_may_act(enc, s, c, t), enc.kind_in(s, t, writes))
    env = dict(s)
    env[PKRS, c] = fresh
    ok = _run(enc, env, ir.Hook.WRITE, None, t, c)
    violated = _fatal(env, ok)
    violated[P.NO_CLOBBER] = _and(ok, env[PKRS, c] != fresh)
    return _done(env, s, guard, ok, violated)


def _exit(enc: Encoding, s: dict, event: Event) -> Effect:
    c, t = event.cpu, event.task
    kind = enc.model.kinds[event.kind]
    d = s[DEPTH, t]
    guard = z3.And(s[RUN, c] == t, d >= 1, z3.Select(s[KIND, t], d) == kind.index)
    env = dict(s)
    frame_storages = [x for x in enc.strategy.storages if x.place.is_frame]
    for storage in frame_storages:
        env[FRAME, storage.index] = z3.Select(s[storage.name, t], d)
    ok = _run(enc, env, ir.Hook.EXIT, kind.index, t, c)
    for storage in frame_storages:
        del env[FRAME, storage.index]  # the popped frame's cells are never read again
    env[DEPTH, t] = d - 1
    env[EXITING, t] = FALSE
    if not enc.prefix_counts:
        env[count_key(kind, t)] = s[count_key(kind, t)] - 1
    # The frame now on top observes unless it is user mode (a base `user`).
    below_observes = d >= 2 if enc.base[t].user_mode else TRUE
    violated = _fatal(env, ok)
    violated[P.NO_LOST] = _and(ok, z3.And(below_observes, env[PKRS, c] != z3.Select(s[INTERRUPTED, t], d)))
    return _done(env, s, guard, ok, violated)


def _switch(enc: Encoding, s: dict, event: Event) -> Effect:
    """schedule / preempt (switch out, then maybe in) and dispatch (switch in)."""
    c, t, target = event.cpu, event.task, event.target
    env = dict(s)
    ok = None
    if event.action is Action.DISPATCH:
        guard = [s[RUN, c] == IDLE]
    else:
        flag = (lambda k: k.sleeps) if event.action is Action.SCHEDULE else (lambda k: k.preempt_on_exit)
        guard = [_task_may_act(enc, s, c, t), enc.kind_in(s, t, enc.kinds_where(flag)), enc.atomic_below(s, t) == 0]
        if event.action is Action.PREEMPT:
            env[EXITING, t] = TRUE  # records nothing; checked only at its exit
        else:
            # schedule needs a kind that sleeps, never user mode: the top frame observes
            env[LEFT_WITH, t] = s[PKRS, c]
        ok = _run(enc, env, ir.Hook.SWITCH_OUT, None, t, c)
        env[RUN, c] = z3.IntVal(IDLE)
    if target != IDLE:
        guard.append(z3.Not(enc.running(s, target)))
        env[RUN, c] = z3.IntVal(target)
        ok = _run(enc, env, ir.Hook.SWITCH_IN, None, target, c, ok)
    violated = _fatal(env, ok)
    if target != IDLE:
        violated[P.NO_STALE] = _and(ok, z3.And(enc.observes(env, target), env[PKRS, c] != env[LEFT_WITH, target]))
    return _done(env, s, z3.And(guard), ok, violated)


def _done(env: dict, s: dict, guard, ok, violated) -> Effect:
    for flag in (OK, OVERFLOW, UNDERFLOW):
        env.pop(flag, None)
    assert env.keys() == s.keys()
    return Effect(guard, env, ok, violated)


def _and(ok, condition):
    return condition if ok is None else z3.And(ok, condition)


def _fatal(env: dict, ok) -> dict:
    if ok is None:
        return {}
    return {P.NO_OVERFLOW: env[OVERFLOW], P.NO_UNDERFLOW: env[UNDERFLOW]}


# ---- handlers ---------------------------------------------------------------------------

def _run(enc: Encoding, env: dict, hook: ir.Hook, kind: int | None, t: int, c: int, ok=None):
    """Run the handler that applies; return the `ok` flag (None while no push or pop can fail)."""
    handler = enc.strategy.handler_for(hook, kind)
    if handler is None:
        return ok
    stacks = _uses_stacks(handler.body)
    if stacks:
        env[OK] = TRUE if ok is None else ok
        env.setdefault(OVERFLOW, FALSE)
        env.setdefault(UNDERFLOW, FALSE)
    elif ok is not None:
        env[OK] = ok
    _execute(enc, handler.body, env, t, c)
    return env.get(OK, ok)


def _uses_stacks(body) -> bool:
    for statement in body:
        if isinstance(statement, (ir.Push, ir.Pop)):
            return True
        if isinstance(statement, ir.If) and (_uses_stacks(statement.then) or _uses_stacks(statement.otherwise)):
            return True
    return False


def _execute(enc: Encoding, body, env: dict, t: int, c: int) -> None:
    for statement in body:
        if isinstance(statement, ir.Assign):
            env[_where(enc, statement.target, t, c)] = _value(enc, env, statement.value, t, c)
        elif isinstance(statement, ir.Push):
            entries, top = _stack(enc, statement.stack, t, c)
            depth = env[top]
            full = depth >= enc.strategy.storages[statement.stack].size
            env[OVERFLOW] = z3.Or(env[OVERFLOW], z3.And(env[OK], full))
            env[OK] = z3.And(env[OK], z3.Not(full))
            env[entries] = z3.Store(env[entries], depth, _value(enc, env, statement.value, t, c))
            env[top] = depth + 1
        elif isinstance(statement, ir.Pop):
            entries, top = _stack(enc, statement.stack, t, c)
            depth = env[top]
            empty = depth <= 0
            env[UNDERFLOW] = z3.Or(env[UNDERFLOW], z3.And(env[OK], empty))
            env[OK] = z3.And(env[OK], z3.Not(empty))
            env[_where(enc, statement.target, t, c)] = z3.Select(env[entries], depth - 1)
            env[top] = depth - 1
        else:
            left = _value(enc, env, statement.left, t, c)
            right = _value(enc, env, statement.right, t, c)
            condition = left == right if statement.equal else left != right
            then, otherwise = dict(env), dict(env)
            _execute(enc, statement.then, then, t, c)
            _execute(enc, statement.otherwise, otherwise, t, c)
            for key in env:
                a, b = then[key], otherwise[key]
                env[key] = a if a is b else z3.If(condition, a, b)


def _value(enc: Encoding, env: dict, value, t: int, c: int):
    if isinstance(value, ir.Init):
        return z3.IntVal(0)
    return env[_where(enc, value, t, c)]


def _where(enc: Encoding, value, t: int, c: int):
    if isinstance(value, ir.Pkrs):
        return (PKRS, c)
    storage = enc.strategy.storages[value.storage]
    place = storage.place
    if place is ir.Place.TASK:
        return (storage.name, t)
    if place is ir.Place.CPU:
        return (storage.name, c)
    if place is ir.Place.GLOBAL:
        return (storage.name, None)
    assert place.is_frame, "analysis admits frame storage only on entry and exit"
    return (FRAME, storage.index)


def _stack(enc: Encoding, index: int, t: int, c: int):
    storage = enc.strategy.storages[index]
    owner = t if storage.place is ir.Place.TASK_STACK else c
    return (storage.name, owner), top_key(storage, owner)


__all__ = ["effect", "transition"]
