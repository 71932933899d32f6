"""Candidate invariants for Houdini, built from the spec without knowing the design.

Each candidate is `guard -> x == y` for a pair of values of one scope, in
the spec's own names:

- a task: its cells, the value it left with, the registers and the cpu
  cells of the CPU it runs on, the globals, its top frame's cells and
  interrupted value, INIT; under the guards running, ready, observes, in
  an entry, and the kind of its top frame;
- a frame (`for every entry frame`, or every frame of one kind): its cells,
  the values it interrupted, the task-stack entry at its depth, INIT;
- a CPU: its registers, its cells, the globals, INIT (always, or when idle);

Values of two different registers are never paired (nothing copies one
register into another in any spec that makes sense), so a candidate speaks
of one register, storage cells and INIT.

plus shapes of stacks: a task stack holds one entry per entry frame (or
per frame of one kind), or at most m entries.

A frame candidate is a formula in a frame slot `j` meaning "if 1 <= j <=
depth then ...": induction assumes it at the slots a step can read (the
slot asked about, the top, the one below) and proves it at an arbitrary
slot, which proves it for every slot, and so for every nesting depth,
without quantifiers.

Candidates are per task (or CPU); `text` is the same for every task so that
a proof reads "every task: ..." when the invariant is symmetric.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Callable

import z3

from ..front import ir
from ..semantics import events as ev
from .encoding import DEPTH, EXITING, KIND, PHASE, RUN, Encoding, Key, count_key, top_key
from ..semantics.layout import IDLE

RUNNING, ENTRY, TOP = "running", "entry", "top"  # TOP: a value of the top frame (not a need)
ABOVE = "above"  # a frame candidate's term of the frame above it: only under a guard that there is one


def _of(r: int) -> str:
    """The tag of a term that is a value of register r (terms of two registers are not paired)."""
    return f"register {r}"


def _tags(needs) -> set:
    return {n for n in needs if n.startswith("register ")}


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str                     # "a ready task whose top frame observes: thread.pkrs == the value it left with"
    owner: str                    # "task 0", "cpu 1", "" (global)
    build: Callable               # scalar: state -> BoolRef; frame: (state, slot) -> BoolRef
    task: int | None = None       # frame candidates: the task whose frames it speaks of
    bound: tuple | None = None    # "stack S of owner o holds at most m entries": (S, o, m), for sizing

    @property
    def frame(self) -> bool:
        return self.task is not None


def candidates(enc: Encoding) -> list[Candidate]:
    out: list[Candidate] = []
    for t in range(enc.ntasks):
        out += _task_candidates(enc, t)
        out += _frame_candidates(enc, t)
        out += _stack_shapes(enc, t)
        out += _pushed_by(enc, t)
    for c in range(enc.ncpus):
        out += _cpu_candidates(enc, c)
    return out


def pushers(enc: Encoding, stack: ir.Storage) -> frozenset[int]:
    """The entry kinds whose entry pushes onto `stack` (read off the table of events)."""
    return frozenset(t.kind for t in enc.table.by_action(ev.Action.ENTER)
                     if any(isinstance(op, ev.Push) and op.stack == stack.index for op in ev.walk(t.ops)))


def _pushed_by(enc: Encoding, t: int) -> list[Candidate]:
    """A stack pushed on the entries of some kinds holds one entry per live frame of those kinds, and the
    entry of each such frame is the value it interrupted: per task for a task stack, and for a CPU stack,
    of the task running on that CPU (the kinds that push a CPU stack are atomic in any spec that keeps
    it balanced, so a task switched out has none of their frames: `a ready task has no K frame`)."""
    out = []
    for kind in enc.entries:
        out.append(Candidate(f"a ready task has no {kind.name} frame", f"task {t}",
                             lambda s, k=kind: z3.Implies(z3.Not(enc.running(s, t)), enc.count(s, t, k) == 0)))
    for x in enc.strategy.storages:
        kinds = pushers(enc, x)
        if not x.place.is_stack or not kinds or len(kinds) == len(enc.entries):
            continue
        names = " or ".join(enc.model.kinds[k].name for k in sorted(kinds))
        counted = [k for k in enc.entries if k.index in kinds]

        def below(s, j, counted=counted):  # frames of the pushing kinds at or below slot j
            return z3.Sum([z3.Select(s[count_key(k, t)], j) for k in counted])

        if x.place is ir.Place.TASK_STACK:
            own, guard, whose = (lambda s, x=x: s[top_key(x, t)]), (lambda s: z3.BoolVal(True)), "every task"
            entries = lambda s, x=x: s[x.name, t]  # noqa: E731
        else:
            own, guard, whose = (lambda s, x=x: _of_cpu(enc, s, t, top_key(x, None))), \
                (lambda s: enc.running(s, t)), "a running task"
            entries = lambda s, x=x: _of_cpu(enc, s, t, (x.name, None))  # noqa: E731
        out.append(Candidate(f"{whose}: {x.name} holds one entry per {names} frame", f"task {t}",
                             lambda s, own=own, guard=guard, counted=counted: z3.Implies(
                                 guard(s), own(s) == z3.Sum([enc.count(s, t, k) for k in counted]))))

        def frame(s, j, guard=guard, entries=entries, below=below, kinds=kinds, interrupted=None):
            is_pusher = z3.Or([z3.Select(s[KIND, t], j) == k for k in kinds])
            return z3.Implies(z3.And(j >= 1, j <= s[DEPTH, t], guard(s), is_pusher),
                              z3.Select(entries(s), below(s, j) - 1) == z3.Select(s[interrupted], j))
        for r in enc.registers:
            interrupted = enc.interrupted_key(r.index, t)
            out.append(Candidate(f"for every {names} frame of {whose.split(': ')[0].removeprefix('every ')}: its "
                                 f"{x.name} entry == the {r.name} it interrupted", f"task {t}",
                                 lambda s, j, frame=frame, interrupted=interrupted: frame(s, j, interrupted=interrupted),
                                 t))
    return out


def _of_cpu(enc: Encoding, s: dict, t: int, key: Key):
    """The value under `key` (its owner replaced by a CPU) of the CPU task t runs on."""
    name, _ = key
    term = s[name, enc.ncpus - 1]
    for c in reversed(range(enc.ncpus - 1)):
        term = z3.If(s[RUN, c] == t, s[name, c], term)
    return term


def domain_facts(enc: Encoding) -> list[Candidate]:
    """Facts of the encoding itself that every reachable state satisfies (never printed)."""
    out = []
    tasks = range(enc.ntasks)
    for c in range(enc.ncpus):
        out.append(Candidate(f"CPU {c} runs a task or nothing", "",
                             lambda s, c=c: z3.Or([s[RUN, c] == u for u in (IDLE, *tasks)])))
        for c2 in range(c + 1, enc.ncpus):
            out.append(Candidate(f"CPUs {c} and {c2} run different tasks", "",
                                 lambda s, c=c, c2=c2: z3.Or(s[RUN, c] == IDLE, s[RUN, c] != s[RUN, c2])))
    # the kinds a frame of which an event may mark preempted, read off the table's guards
    preempt = frozenset().union(*(c.kinds(ev.BODY) for t in enc.table.templates
                                  if any(isinstance(op, ev.SetPhase) and op.phase == ev.PREEMPTED for op in t.ops)
                                  for c in t.guard if isinstance(c, ev.Top)))
    phases = enc.table.phases
    entries = [k.index for k in enc.entries]
    admits = {tm.kind: next(c.frames for c in tm.guard if isinstance(c, ev.Top))
              for tm in enc.table.by_action(ev.Action.ENTER)}
    for t in tasks:
        def depth_range(s, t=t):
            d = s[DEPTH, t]
            return z3.And(d >= 0, d <= enc.depth) if enc.depth is not None else d >= 0
        out.append(Candidate(f"task {t} has 0..depth entry frames", "", depth_range))
        out.append(Candidate(f"only a preempted entry frame of task {t} is exiting", "",
                             lambda s, t=t: z3.Implies(s[EXITING, t], z3.And(s[DEPTH, t] >= 1,
                                                                             enc.kind_in(s, t, preempt)))))
        for kind in enc.entries:
            key = count_key(kind, t)
            out.append(Candidate(f"no {kind.name} frame below task {t}'s first", "",
                                 lambda s, key=key: z3.Select(s[key], 0) == 0))

        def frame_fact(s, j, t=t):
            counts = [z3.Select(s[count_key(k, t)], j) for k in enc.entries]
            bounds = [z3.And(n >= 0, n <= k.max_frames) if k.max_frames is not None else n >= 0
                      for n, k in zip(counts, enc.entries)]
            kind = z3.Select(s[KIND, t], j)
            # each slot counts the frame in it on top of the counts of the slot below
            steps = [z3.Select(s[count_key(k, t)], j) == z3.Select(s[count_key(k, t)], j - 1) + z3.If(kind == k.index, 1, 0)
                     for k in enc.entries]
            return z3.Implies(z3.And(j >= 1, j <= s[DEPTH, t]),
                              z3.And(z3.Or([kind == k for k in entries]), z3.Sum(counts) == j, *bounds, *steps))
        out.append(Candidate(f"task {t}'s frames are entries, counted per kind", "", frame_fact, t))
        if enc.windows:
            def phase_fact(s, j, t=t):
                kind, phase = z3.Select(s[KIND, t], j), z3.Select(s[PHASE, t], j)
                allowed = [z3.And(kind == k.index, z3.Or([phase == 0] + [phase == w for w in phases.windows(k.index)]))
                           for k in enc.entries]
                return z3.Implies(z3.And(j >= 1, j <= s[DEPTH, t]), z3.Or(allowed))
            out.append(Candidate(f"task {t}'s frames are each in their body or at one of their windows", "",
                                 phase_fact, t))

            def nested_fact(s, j, t=t):
                # a frame's phase changes only while it is on top, so the frame below another is where the
                # other's entry found it: one of the (kind, phase) its `enter` guard admits
                below, phase, above = z3.Select(s[KIND, t], j), z3.Select(s[PHASE, t], j), z3.Select(s[KIND, t], j + 1)
                admitted = [z3.And(above == k, z3.Or([z3.And(below == kk, phase == (0 if p == ev.BODY else p))
                                                      for kk, p in sorted(admits[k]) if p != ev.PREEMPTED] or [z3.BoolVal(False)]))
                            for k in admits]
                return z3.Implies(z3.And(j >= 1, j < s[DEPTH, t]), z3.Or(admitted))
            out.append(Candidate(f"task {t}'s frames each nest on a frame where their entry may arrive", "",
                                 nested_fact, t))
            # only a frame in its body (or preempted) switches out, and a ready task's frames stand still
            out.append(Candidate(f"task {t}, when ready, is in the body of its top frame", "",
                                 lambda s, t=t: z3.Or(enc.running(s, t), s[DEPTH, t] == 0,
                                                      z3.Select(s[PHASE, t], s[DEPTH, t]) == 0)))
    for x in enc.strategy.storages:
        if x.place.is_stack:
            owners = tasks if x.place is ir.Place.TASK_STACK else range(enc.ncpus)
            for owner in owners:
                top = top_key(x, owner)
                out.append(Candidate(f"{x.name} holds 0..{x.size} entries", "",
                                     lambda s, top=top, n=x.size: z3.And(s[top] >= 0, s[top] <= n)))
    return out


class _Memo:
    """Guards and terms shared by many candidates: built once per state (and slot), not once per pair."""

    def __init__(self):
        self.built: dict = {}
        self.keep: list = []  # the states and slots keyed by id stay alive as long as the memo

    def __call__(self, build):
        def memoized(*args):
            key = (id(build), *(id(a) if isinstance(a, dict) else a.get_id() for a in args))
            term = self.built.get(key)
            if term is None:
                term = self.built[key] = build(*args)
                self.keep.append(args)
            return term
        return memoized


def _pairs(terms, guards, owner: str, wrap=None, task=None) -> list[Candidate]:
    memo = _Memo()
    terms = [(text, memo(term), needs) for text, term, needs in terms]
    guards = [(text, memo(guard), gives) for text, guard, gives in guards]
    out = []
    for guard_text, guard, gives in guards:
        usable = [term for term in terms if term[2] - {TOP} - _tags(term[2]) <= gives]
        for (x_text, x, x_needs), (y_text, y, y_needs) in combinations(usable, 2):
            if TOP in x_needs and TOP in y_needs:
                continue  # two values of the top frame: a frame candidate says it for every frame
            if _tags(x_needs) and _tags(y_needs) and _tags(x_needs) != _tags(y_needs):
                continue  # values of two registers
            text = f"{guard_text}: {x_text} == {y_text}"
            if wrap is None:
                build = (lambda s, g=guard, x=x, y=y: z3.Implies(g(s), x(s) == y(s)))
            else:
                build = wrap(lambda s, j, g=guard, x=x, y=y: z3.Implies(g(s, j), x(s, j) == y(s, j)))
            out.append(Candidate(text, owner, build, task))
    return out


def _task_candidates(enc: Encoding, t: int) -> list[Candidate]:
    storages = enc.strategy.storages
    d = lambda s: s[DEPTH, t]  # noqa: E731
    terms = [(x.name, (lambda s, x=x: s[x.name, t]), set()) for x in storages if x.place is ir.Place.TASK]
    several = len(enc.registers) > 1
    for r in enc.registers:
        left = enc.left_with_key(r.index, t)
        terms.append((f"the {r.name} it left with" if several else "the value it left with",
                      (lambda s, left=left: s[left]), {_of(r.index)}))
        terms.append((r.name, (lambda s, r=r: enc.register_of(s, t, r.index)), {RUNNING, _of(r.index)}))
    terms += [(f"{x.name} of its CPU", (lambda s, x=x: enc.cell_of(s, x, t)), {RUNNING})
              for x in storages if x.place is ir.Place.CPU]
    terms += [(x.name, (lambda s, x=x: s[x.name, None]), set()) for x in storages if x.place is ir.Place.GLOBAL]
    terms += [(f"its top frame's {x.name}", (lambda s, x=x: z3.Select(s[x.name, t], d(s))), {ENTRY, TOP})
              for x in storages if x.place.is_frame]
    for r in enc.registers:
        key = enc.interrupted_key(r.index, t)
        terms.append((f"the {r.name} its top frame interrupted", (lambda s, key=key: z3.Select(s[key], d(s))),
                      {ENTRY, TOP, _of(r.index)}))
        if r.read_by:  # what the top frame's handler is still to read (a frame in a window before `read`)
            key = enc.delivered_key(r.index, t)
            terms.append((f"the {r.name} its top frame's delivery gave it", (lambda s, key=key: z3.Select(s[key], d(s))),
                          {ENTRY, TOP, _of(r.index)}))
    terms.append(("INIT", lambda s: z3.IntVal(0), set()))

    running = lambda s: enc.running(s, t)  # noqa: E731
    observes = lambda s: enc.observes(s, t)  # noqa: E731
    guards = [
        ("every task", lambda s: z3.BoolVal(True), set()),
        ("a running task", running, {RUNNING}),
        ("a ready task", lambda s: z3.Not(running(s)), set()),
        ("a running task whose top frame observes", lambda s: z3.And(running(s), observes(s)), {RUNNING}),
        ("a ready task whose top frame observes", lambda s: z3.And(z3.Not(running(s)), observes(s)), set()),
        ("a task in an entry", lambda s: d(s) >= 1, {ENTRY}),
        ("a running task in an entry", lambda s: z3.And(running(s), d(s) >= 1), {RUNNING, ENTRY}),
        ("a ready task in an entry", lambda s: z3.And(z3.Not(running(s)), d(s) >= 1), {ENTRY}),
    ]
    for kind in (enc.base[t], *enc.entries):
        where = "in user mode" if kind.user_mode else f"whose top frame is {kind.name}"
        gives = set() if kind.is_base else {ENTRY}
        top = (lambda s, k=kind: enc.kind_in(s, t, {k.index}))
        guards.append((f"a task {where}", top, gives))
        guards.append((f"a running task {where}", (lambda s, top=top: z3.And(running(s), top(s))), gives | {RUNNING}))
        if enc.windows and not kind.is_base:  # a frame stopped at a window: what its code is still to do
            phases = enc.table.phases
            for w in phases.windows(kind.index):
                at = (lambda s, top=top, w=w: z3.And(top(s), z3.Select(s[PHASE, t], d(s)) == w))
                guards.append((f"a running task {where} at its {phases.name(kind.index, w)}",
                               (lambda s, at=at: z3.And(running(s), at(s))), gives | {RUNNING}))
    return _pairs(terms, guards, f"task {t}")


def _frame_candidates(enc: Encoding, t: int) -> list[Candidate]:
    storages = enc.strategy.storages
    terms = [(x.name, (lambda s, j, x=x: z3.Select(s[x.name, t], j)), set()) for x in storages if x.place.is_frame]
    nested_values = enc.windows or any(r.read_by for r in enc.registers)  # a PKRS spec keeps its candidates
    if nested_values:  # a per-CPU copy of what a frame interrupted (nmi_cr2)
        terms += [(f"{x.name} of its CPU", (lambda s, j, x=x: enc.cell_of(s, x, t)), {RUNNING})
                  for x in storages if x.place is ir.Place.CPU]
    for r in enc.registers:
        key = enc.interrupted_key(r.index, t)
        terms.append((f"the {r.name} it interrupted", (lambda s, j, key=key: z3.Select(s[key], j)), {_of(r.index)}))
        if nested_values:
            # a frame above it arrived in its window, or nested before its handler read its delivery
            terms.append((f"the {r.name} the frame above it interrupted",
                          (lambda s, j, key=key: z3.Select(s[key], j + 1)), {ABOVE, _of(r.index)}))
        if r.read_by:
            key = enc.delivered_key(r.index, t)
            terms.append((f"the {r.name} its delivery gave it", (lambda s, j, key=key: z3.Select(s[key], j)),
                          {_of(r.index)}))
    terms += [(f"the {x.name} entry at its depth", (lambda s, j, x=x: z3.Select(s[x.name, t], j - 1)), set())
              for x in storages if x.place is ir.Place.TASK_STACK]
    terms.append(("INIT", lambda s, j: z3.IntVal(0), set()))
    guards = [("for every entry frame", lambda s, j: z3.BoolVal(True), set())]
    guards += [(f"for every {k.name} frame", (lambda s, j, k=k: z3.Select(s[KIND, t], j) == k.index), set())
               for k in enc.entries]
    if enc.windows:
        phases = enc.table.phases
        guards += [(f"for every {k.name} frame at its {phases.name(k.index, w)}",
                    (lambda s, j, k=k, w=w: z3.And(z3.Select(s[KIND, t], j) == k.index, z3.Select(s[PHASE, t], j) == w)),
                    set()) for k in enc.entries for w in phases.windows(k.index)]
    wanted = {n for _, _, needs in terms for n in needs}
    plain = list(guards)
    if ABOVE in wanted:
        guards += [(f"{text} with a frame above it", (lambda s, j, g=g: z3.And(g(s, j), j < s[DEPTH, t])), {ABOVE})
                   for text, g, _ in plain]
    if RUNNING in wanted:
        guards += [(f"{text} of a running task", (lambda s, j, g=g: z3.And(g(s, j), enc.running(s, t))), {RUNNING})
                   for text, g, _ in plain]

    def within(body):
        return lambda s, j: z3.Implies(z3.And(j >= 1, j <= s[DEPTH, t]), body(s, j))
    return _pairs(terms, guards, f"task {t}", wrap=within, task=t)


def _stack_shapes(enc: Encoding, t: int) -> list[Candidate]:
    out = []
    stacks = [x.size for x in enc.strategy.storages if x.place.is_stack]
    if enc.depth is None and stacks:
        # With no depth bound, a stack's bound can only come from the model: `max`
        # bounds some kinds, and a kind without one may still nest only so deep.
        for kind in enc.entries:
            if kind.max_frames is None:
                key = count_key(kind, t)
                out += [Candidate(f"every task has at most {m} {kind.name} frame{'' if m == 1 else 's'}", f"task {t}",
                                  (lambda s, j, key=key, m=m: z3.Implies(z3.And(j >= 1, j <= s[DEPTH, t]),
                                                                         z3.Select(s[key], j) <= m)), t)
                        for m in range(max(stacks))]
    for x in enc.strategy.storages:
        if x.place is not ir.Place.TASK_STACK:
            continue
        top = top_key(x, t)
        out.append(Candidate(f"every task: {x.name} holds one entry per entry frame", f"task {t}",
                             lambda s, top=top: s[top] == s[DEPTH, t]))
        for kind in enc.entries:
            out.append(Candidate(f"every task: {x.name} holds one entry per {kind.name} frame", f"task {t}",
                                 lambda s, top=top, k=kind: s[top] == enc.count(s, t, k)))
        out += _bounds(x, t, f"task {t}")
    return out


def _bounds(stack: ir.Storage, owner: int, who: str) -> list[Candidate]:
    top = top_key(stack, owner)
    everyone = "every task" if stack.place is ir.Place.TASK_STACK else "every CPU"
    return [Candidate(f"{everyone}: {stack.name} holds at most {m} entries", who, lambda s, m=m: s[top] <= m,
                      bound=(stack.name, owner, m)) for m in range(stack.size)]


def _cpu_candidates(enc: Encoding, c: int) -> list[Candidate]:
    storages = enc.strategy.storages
    terms = [(r.name, (lambda s, r=r: s[enc.register_key(r.index, c)]), {_of(r.index)}) for r in enc.registers]
    terms += [(x.name, (lambda s, x=x: s[x.name, c]), set()) for x in storages if x.place is ir.Place.CPU]
    terms += [(x.name, (lambda s, x=x: s[x.name, None]), set()) for x in storages if x.place is ir.Place.GLOBAL]
    terms.append(("INIT", lambda s: z3.IntVal(0), set()))
    guards = [("every CPU", lambda s: z3.BoolVal(True), set()),
              ("an idle CPU", lambda s: s[RUN, c] == IDLE, set())]
    out = _pairs(terms, guards, f"cpu {c}")
    for x in storages:
        if x.place is ir.Place.CPU_STACK:
            out += _bounds(x, c, f"cpu {c}")
            top = top_key(x, c)
            out.append(Candidate(f"an idle CPU: {x.name} holds no entry", f"cpu {c}",
                                 lambda s, top=top: z3.Implies(s[RUN, c] == IDLE, s[top] == 0)))
    return out


__all__ = ["Candidate", "candidates", "domain_facts"]
