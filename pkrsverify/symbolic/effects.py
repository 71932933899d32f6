"""The table of events (semantics/events.py) as Z3 terms: guards, updates, checks.

Each concrete event's template is translated operation by operation on an
environment (key -> term) that starts as the symbolic state: a guard
becomes a conjunction, a copy an update of one key, a branch runs both
sides and merges them with `If`, a push onto a full stack or a pop from an
empty one clears `!ok`, after which nothing the event does matters (the
path ends there). This is a translator of the table, not a second statement
of the semantics: tests/test_agreement.py runs it against the reference
interpreter (semantics/system.py) on random small strategies.
"""
from __future__ import annotations

import z3

from ..front import ir
from ..semantics import events as ev
from ..semantics.events import Event, Whose
from ..semantics.layout import IDLE
from .encoding import (Key, DEPTH, EXITING, FRAME, KIND, OK, OVERFLOW, PHASE, RUN, UNDERFLOW, Effect, Encoding,
                       Transition, count_key, top_key)

P = ir.Property
TRUE, FALSE = z3.BoolVal(True), z3.BoolVal(False)


def effect(enc: Encoding, s: dict, event: Event, fresh) -> Effect:
    return _Event(enc, s, event, fresh).effect()


def transition(enc: Encoding, s: dict, s2: dict, choice, fresh, events=None) -> Transition:
    """`choice` (an Int) picks one of `events` (default `enc.events`); `s2` is the state after it unless it
    was fatal."""
    effects = [effect(enc, s, event, fresh) for event in (enc.events if events is None else events)]
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
    for prop in enc.properties:
        cases = [z3.And(choice == i, e.violated[prop]) for i, e in enumerate(effects) if prop in e.violated]
        violated[prop] = z3.Or(cases) if cases else FALSE
    return Transition(tuple(constraints), z3.And(fatal_cases) if fatal_cases else TRUE, violated)


class _Event:
    """One concrete event translated on an environment that starts as the state `s`."""

    def __init__(self, enc: Encoding, s: dict, event: Event, fresh):
        self.enc, self.s, self.event, self.fresh = enc, s, event, fresh
        self.template = enc.table.template(event)
        self.env = dict(s)
        self.violated: dict = {}
        self.stacks = False   # a push or pop ran: `!ok` and the fatal flags are in the environment
        self.opened = False   # the event pushed a frame whose cells (FRAME keys) go to the arrays at its slot

    def effect(self) -> Effect:
        guard = self.guard()
        if any(isinstance(op, ev.CloseFrame) for op in self.template.ops):
            self.load_frame()
        elif self.template.action is ev.Action.CONTINUE:
            self.load_frame()  # the top frame's code goes on: its cells are read and written in place
            self.opened = True
        if any(isinstance(op, (ev.Push, ev.Pop)) for op in ev.walk(self.template.ops)):
            self.stacks = True  # the event may be fatal: `!ok` says it was not, the flags which way it was
            self.env.update({OK: TRUE, OVERFLOW: FALSE, UNDERFLOW: FALSE})
        self.ops(self.template.ops)
        env = self.env
        ok = env.get(OK) if self.stacks else None
        if ok is not None:
            # a fatal step reports its overflow or underflow alone: the kernel BUG()s there, so a check the
            # step made before the fatal push or pop counts for nothing (docs/semantics.md, fatal steps)
            self.violated = {prop: z3.And(ok, v) for prop, v in self.violated.items()}
            self.violated[P.NO_OVERFLOW] = env[OVERFLOW]
            self.violated[P.NO_UNDERFLOW] = env[UNDERFLOW]
        for key in [k for k in env if k[0] == FRAME]:
            value = env.pop(key)
            if self.opened:
                storage = self.enc.strategy.storages[key[1]]
                env[storage.name, self.event.task] = z3.Store(env[storage.name, self.event.task],
                                                              env[DEPTH, self.event.task], value)
        for flag in (OK, OVERFLOW, UNDERFLOW):
            env.pop(flag, None)
        assert env.keys() == self.s.keys()
        return Effect(guard, env, ok, self.violated)

    def load_frame(self) -> None:
        """The top frame's cells, for the handlers of the event that exits it or continues its code."""
        env, t = self.env, self.event.task
        for storage in self.enc.strategy.storages:
            if storage.place.is_frame:
                env[FRAME, storage.index] = z3.Select(env[storage.name, t], env[DEPTH, t])

    # ---- the guard ----------------------------------------------------------------------------

    def guard(self) -> z3.BoolRef:
        enc, s, event = self.enc, self.s, self.event
        if self.template.cpu_idle:
            terms = [s[RUN, event.cpu] == IDLE]
        else:
            terms = [s[RUN, event.cpu] == event.task]
            terms += [self.condition(c) for c in self.template.guard]
        if self.template.target is ev.Target.TASK:
            terms.append(z3.Not(enc.running(s, event.target)))
        return z3.And(terms)

    def condition(self, condition) -> z3.BoolRef:
        enc, s, t = self.enc, self.s, self.event.task
        if isinstance(condition, ev.Top):
            return enc.top_in(s, t, condition.frames)
        if isinstance(condition, ev.BelowDepth):
            return s[DEPTH, t] < enc.depth if enc.depth is not None else TRUE
        if isinstance(condition, ev.FewerThan):
            return enc.count(s, t, enc.model.kinds[condition.kind]) < condition.count
        assert isinstance(condition, ev.NoneBelow)
        return enc.below(s, t, condition.kinds) == 0

    # ---- locations ---------------------------------------------------------------------------

    def task(self, whose: Whose) -> int:
        return self.event.task if whose is Whose.TASK else self.event.target

    def key(self, location):
        """The environment key of a location (arrays: the frame ghosts, read and written at the top)."""
        enc, event = self.enc, self.event
        if isinstance(location, ev.Register):
            return enc.register_key(location.register, event.cpu)
        if isinstance(location, ev.LeftWith):
            return enc.left_with_key(location.register, self.task(location.whose))
        storage = enc.strategy.storages[location.storage]
        place = storage.place
        if place is ir.Place.TASK:
            return (storage.name, self.task(location.whose))
        if place is ir.Place.CPU:
            return (storage.name, event.cpu)
        if place is ir.Place.GLOBAL:
            return (storage.name, None)
        assert place.is_frame, "frame storage is named only in entry and exit handlers (analyze.py)"
        key = (FRAME, storage.index)
        assert key in self.env, "frame cells exist between OpenFrame and the end of an enter, or in an exit"
        return key

    def frame_ghost(self, location) -> Key | None:
        """The array of a frame ghost (read and written at the top frame's slot)."""
        t = self.event.task
        if isinstance(location, ev.Interrupted):
            return self.enc.interrupted_key(location.register, t)
        if isinstance(location, ev.Delivered):
            return self.enc.delivered_key(location.register, t)
        return None

    def value(self, value):
        if isinstance(value, ev.Init):
            return z3.IntVal(0)
        if isinstance(value, ev.Fresh):
            return self.fresh
        array = self.frame_ghost(value)
        if array is not None:
            return z3.Select(self.env[array], self.env[DEPTH, self.event.task])
        return self.env[self.key(value)]

    def assign(self, location, term) -> None:
        array = self.frame_ghost(location)
        if array is not None:
            self.env[array] = z3.Store(self.env[array], self.env[DEPTH, self.event.task], term)
        else:
            self.env[self.key(location)] = term

    # ---- operations ------------------------------------------------------------------------------

    def ops(self, ops) -> None:
        for op in ops:
            getattr(self, type(op).__name__)(op)

    def Copy(self, op: ev.Copy) -> None:  # noqa: N802 - one method per op type
        self.assign(op.dst, self.value(op.src))

    def _stack(self, op):
        storage = self.enc.strategy.storages[op.stack]
        owner = self.task(op.whose) if storage.place is ir.Place.TASK_STACK else self.event.cpu
        return storage, (storage.name, owner), top_key(storage, owner)

    def Push(self, op: ev.Push) -> None:  # noqa: N802
        env = self.env
        storage, entries, top = self._stack(op)
        depth = env[top]
        full = depth >= storage.size
        env[OVERFLOW] = z3.Or(env[OVERFLOW], z3.And(env[OK], full))
        env[OK] = z3.And(env[OK], z3.Not(full))
        env[entries] = z3.Store(env[entries], depth, self.value(op.src))
        env[top] = depth + 1

    def Pop(self, op: ev.Pop) -> None:  # noqa: N802
        env = self.env
        _, entries, top = self._stack(op)
        depth = env[top]
        empty = depth <= 0
        env[UNDERFLOW] = z3.Or(env[UNDERFLOW], z3.And(env[OK], empty))
        env[OK] = z3.And(env[OK], z3.Not(empty))
        self.assign(op.dst, z3.Select(env[entries], depth - 1))
        env[top] = depth - 1

    def Branch(self, op: ev.Branch) -> None:  # noqa: N802
        left, right = self.value(op.left), self.value(op.right)
        condition = left == right if op.equal else left != right
        before = self.env
        self.env = dict(before)
        self.ops(op.then)
        then = self.env
        self.env = dict(before)
        self.ops(op.otherwise)
        otherwise = self.env
        assert then.keys() == otherwise.keys() == before.keys()
        self.env = {key: a if a is b else z3.If(condition, a, b)
                    for key, a, b in ((key, then[key], otherwise[key]) for key in before)}

    def Handler(self, op: ev.Handler) -> None:  # noqa: N802
        self.ops(op.body)

    def Check(self, op: ev.Check) -> None:  # noqa: N802
        condition = self.value(op.left) != self.value(op.right)
        if op.when is not ev.When.ALWAYS:
            condition = z3.And(self.when(op), condition)
        if self.stacks:
            condition = z3.And(self.env[OK], condition)
        previous = self.violated.get(op.property)  # (a property is checked at most once per event, but say so)
        self.violated[op.property] = condition if previous is None else z3.Or(previous, condition)

    def when(self, op: ev.Check):
        enc, env, event = self.enc, self.env, self.event
        if op.when is ev.When.BELOW:
            t = event.task  # the frame below the top is kernel code unless it is the user base
            return env[DEPTH, t] >= 2 if enc.base[t].user_mode else TRUE
        if op.when is ev.When.INCOMING:
            return enc.observes(env, event.target, op.user_observes)
        switched = self.template.target is ev.Target.TASK or self.template.cpu_idle
        return enc.observes(env, event.target if switched else event.task, op.user_observes)

    # ---- structure ----------------------------------------------------------------------------------

    def OpenFrame(self, op: ev.OpenFrame) -> None:  # noqa: N802
        enc, env, t = self.enc, self.env, self.event.task
        d = env[DEPTH, t]
        slot = d + 1
        kind = enc.model.kinds[op.kind]
        env[KIND, t] = z3.Store(env[KIND, t], slot, op.kind)
        if enc.windows:
            env[PHASE, t] = z3.Store(env[PHASE, t], slot, 0)
        env[DEPTH, t] = slot
        if enc.prefix_counts:
            for other in enc.entries:
                key = count_key(other, t)
                env[key] = z3.Store(env[key], slot, z3.Select(env[key], d) + (1 if other is kind else 0))
        else:
            env[count_key(kind, t)] = env[count_key(kind, t)] + 1
        for storage in enc.strategy.storages:
            if storage.place.is_frame:
                env[FRAME, storage.index] = z3.IntVal(0)  # a new frame's cells start INIT
        self.opened = True

    def CloseFrame(self, op: ev.CloseFrame) -> None:  # noqa: N802
        enc, env, t = self.enc, self.env, self.event.task
        kind = enc.model.kinds[self.template.kind]
        env[DEPTH, t] = env[DEPTH, t] - 1
        env[EXITING, t] = FALSE
        if not enc.prefix_counts:
            env[count_key(kind, t)] = env[count_key(kind, t)] - 1
        self.opened = False  # the popped frame's cells are never read again

    def SetPhase(self, op: ev.SetPhase) -> None:  # noqa: N802
        env, t = self.env, self.event.task
        env[EXITING, t] = TRUE if op.phase == ev.PREEMPTED else FALSE
        if self.enc.windows:
            window = op.phase if op.phase > ev.PREEMPTED else 0
            env[PHASE, t] = z3.Store(env[PHASE, t], env[DEPTH, t], window)

    def Leave(self, op: ev.Leave) -> None:  # noqa: N802
        self.env[RUN, self.event.cpu] = z3.IntVal(IDLE)

    def Resume(self, op: ev.Resume) -> None:  # noqa: N802
        self.env[RUN, self.event.cpu] = z3.IntVal(self.event.target)


__all__ = ["effect", "transition"]
