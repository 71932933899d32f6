"""The transition system of docs/semantics.md as Z3 terms, from the same IR as system.py.

A state is a mapping from keys to Z3 constants named `name@step[index]`
(`PKRS@3[0]`, `regs.pkrs@3[1]`): per CPU its registers, what runs there and
its cells; per task its entry-frame count, whether its top frame is
preempted (`Exiting`), its frames as arrays indexed by slot (kind, phase
where some code has windows, the ghosts per register, one array per frame
storage), the values it left with, its cells and stacks; the globals.
Storage names are lower case, register names upper case, the encoding's
own names are capitalised words, so none clash.

Frames are arrays indexed by slot (1 = the first entry frame; slot 0, the
base, lives nowhere: its kind is fixed per task), so the same encoding
serves a depth bound and no bound at all. Frames are counted per kind
(`max`, and whether an `atomic` frame lies below the top) rather than over
the array. BMC, which starts from the initial state, keeps one counter per
task and kind (`Count.irq`: +1 on entry, -1 on exit). Induction starts from
any state, where a counter says nothing about the frames below the top, so
there (`prefix_counts`) each slot records how many frames of each kind lie
at or below it (`Count.irq[j]`, 0 at slot 0): an entry writes its slot from
the one below, an exit needs no update, and the facts "counts never exceed
`max`" become facts about every frame, which induction can prove. Only the
top frame can be exiting (a preempted frame may only exit), so `Exiting` is
one flag per task.

Values: INIT is 0, and a write stores the `fresh` term the caller passes:
the step number in BMC (distinct by construction), a constant constrained
to differ from every value of the state in induction. Only equality is ever
tested, so either is exact.

Every event of system.py is one concrete `Event` here; `effect` gives its
guard, its update and the properties it violates, executing the strategy's
handlers symbolically (both branches of an `if`, merged by `If`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import z3

from ..front import ir
from ..semantics.layout import IDLE
from ..semantics import events as ev
from ..semantics.events import Event
from ..semantics.system import System

SEED = 7  # fixed random seed of every solver: runs repeat

Key = tuple  # (name, index or None)
RUN, DEPTH, EXITING, KIND, PHASE, INTERRUPTED, LEFT_WITH, DELIVERED = (
    "Running", "Depth", "Exiting", "Kind", "Phase", "Interrupted", "LeftWith", "Delivered")
FRAME = "@frame"  # a cell of the frame being entered or exited, while its handler runs
OK, OVERFLOW, UNDERFLOW = "!ok", "!overflow", "!underflow"


def count_key(kind: ir.FrameKind, task: int) -> Key:
    return (f"Count.{kind.name}", task)


def top_key(stack: ir.Storage, owner: int) -> Key:
    return (f"{stack.name}.Top", owner)


@dataclass(frozen=True, slots=True)
class Var:
    key: Key
    sort: str          # "int", "bool" or "array" (Int -> Int)
    initial: int | bool
    value: bool        # holds register values (fresh values must differ from it)
    live: tuple[int, int] | None = None  # arrays of values: the indices that can be live (None: unbounded)


@dataclass(frozen=True, slots=True)
class Effect:
    """One event from a symbolic state: when it is enabled, what it leads to, what it breaks."""

    guard: z3.BoolRef
    post: dict
    ok: z3.BoolRef | None          # None: no push or pop, never fatal
    violated: dict                 # Property -> BoolRef (already conjoined with `ok`)


@dataclass(frozen=True, slots=True)
class Transition:
    constraints: tuple             # guard of the chosen event, and the next state
    nonfatal: z3.BoolRef           # the chosen event did not end the path
    violated: dict                 # Property -> BoolRef: the chosen event violates it


def solver() -> z3.Solver:
    s = z3.Solver()
    s.set("random_seed", SEED)
    return s


def check(solver, *assumptions, until: float | None = None) -> z3.CheckSatResult:
    """solver.check, but Ctrl-C is Ctrl-C: Z3 catches SIGINT itself while it works and answers
    `unknown` ("interrupted from keyboard", or "canceled" like a timeout), which becomes the
    KeyboardInterrupt it was. `until` is when the query's own timeout (if one was set) expires
    (time.perf_counter()): a cancel well before it was no timeout."""
    answer = solver.check(*assumptions)
    if answer == z3.unknown:
        reason = solver.reason_unknown()
        early = until is None or time.perf_counter() < until - 0.25
        if reason == "interrupted from keyboard" or (reason in ("canceled", "timeout") and early):
            raise KeyboardInterrupt
    return answer


class Encoding:
    """One strategy at fixed bounds (or with no depth bound) as Z3 terms."""

    def __init__(self, system: System, unbounded_depth: bool = False, prefix_counts: bool = False):
        self.system = system
        self.prefix_counts = prefix_counts
        self.strategy = system.strategy
        self.model = system.model
        self.bounds = system.bounds
        self.unbounded = unbounded_depth
        self.depth = None if unbounded_depth else self.bounds.depth
        self.ntasks = self.bounds.tasks + self.bounds.kthreads
        self.ncpus = self.bounds.cpus
        self.entries = system.entry_kinds
        user, kthread = self.model.kind("user"), self.model.kind("kthread")
        self.base = tuple(user if t < self.bounds.tasks else kthread for t in range(self.ntasks))
        self.table = system.table
        self.registers = self.strategy.registers
        self.windows = system.table.phases.count > 2  # some code has windows: frames carry a phase
        self.properties = tuple(dict.fromkeys(self.strategy.properties + ev.checked_properties(self.table)))
        self.events: tuple[Event, ...] = tuple(self._events())
        self.vars: tuple[Var, ...] = tuple(self._vars())

    # ---- keys ----------------------------------------------------------------------
    # Register 0's keep the names of a spec about PKRS alone; the others' carry the register's name.

    def _named(self, name: str, r: int) -> str:
        return name if r == 0 else f"{name}.{self.registers[r].name}"

    def register_key(self, r: int, c: int) -> Key:
        return (self.registers[r].name, c)

    def interrupted_key(self, r: int, t: int) -> Key:
        return (self._named(INTERRUPTED, r), t)

    def left_with_key(self, r: int, t: int) -> Key:
        return (self._named(LEFT_WITH, r), t)

    def delivered_key(self, r: int, t: int) -> Key:
        return (f"{DELIVERED}.{self.registers[r].name}", t)

    # ---- the state ---------------------------------------------------------------

    def _vars(self):
        storages = self.strategy.storages
        frames = None if self.depth is None else (1, self.depth)
        for c in range(self.ncpus):
            for r in self.registers:
                yield Var(self.register_key(r.index, c), "int", 0, True)
            yield Var((RUN, c), "int", c if c < self.ntasks else IDLE, False)
            for s in storages:
                if s.place is ir.Place.CPU:
                    yield Var((s.name, c), "int", 0, True)
                elif s.place is ir.Place.CPU_STACK:
                    yield Var((s.name, c), "array", 0, True, (0, s.size - 1))
                    yield Var(top_key(s, c), "int", 0, False)
        for s in storages:
            if s.place is ir.Place.GLOBAL:
                yield Var((s.name, None), "int", 0, True)
        for t in range(self.ntasks):
            yield Var((DEPTH, t), "int", 0, False)
            yield Var((EXITING, t), "bool", False, False)
            yield Var((KIND, t), "array", -1, False)
            if self.windows:
                yield Var((PHASE, t), "array", 0, False)
            for r in self.registers:
                yield Var(self.interrupted_key(r.index, t), "array", 0, True, frames)
            for r in self.registers:
                if r.read_by:
                    yield Var(self.delivered_key(r.index, t), "array", 0, True, frames)
            for r in self.registers:
                yield Var(self.left_with_key(r.index, t), "int", 0, True)
            for kind in self.entries:
                yield Var(count_key(kind, t), "array" if self.prefix_counts else "int", 0, False)
            for s in storages:
                if s.place is ir.Place.TASK:
                    yield Var((s.name, t), "int", 0, True)
                elif s.place is ir.Place.TASK_STACK:
                    yield Var((s.name, t), "array", 0, True, (0, s.size - 1))
                    yield Var(top_key(s, t), "int", 0, False)
                elif s.place.is_frame:
                    yield Var((s.name, t), "array", 0, True, frames)

    def state(self, tag) -> dict:
        """Fresh constants for one state, named `name@tag[index]`."""
        out = {}
        for var in self.vars:
            name, index = var.key
            label = f"{name}@{tag}" + ("" if index is None else f"[{index}]")
            if var.sort == "int":
                out[var.key] = z3.Int(label)
            elif var.sort == "bool":
                out[var.key] = z3.Bool(label)
            else:
                out[var.key] = z3.Array(label, z3.IntSort(), z3.IntSort())
        return out

    def initial_terms(self) -> dict:
        """The initial state as constant terms: task i < cpus runs on CPU i; every value INIT."""
        out = {}
        for var in self.vars:
            if var.sort == "int":
                out[var.key] = z3.IntVal(var.initial)
            elif var.sort == "bool":
                out[var.key] = z3.BoolVal(var.initial)
            else:
                out[var.key] = z3.K(z3.IntSort(), z3.IntVal(var.initial))
        return out

    def initial(self, s: dict) -> list:
        init = self.initial_terms()
        return [s[key] == init[key] for key in s]

    # ---- what a state says ---------------------------------------------------

    def running(self, s: dict, t: int) -> z3.BoolRef:
        return z3.Or([s[RUN, c] == t for c in range(self.ncpus)])

    def register_of(self, s: dict, t: int, r: int = 0) -> z3.ArithRef:
        """Register r of the CPU task t runs on (meaningless when it does not run)."""
        term = s[self.register_key(r, self.ncpus - 1)]
        for c in reversed(range(self.ncpus - 1)):
            term = z3.If(s[RUN, c] == t, s[self.register_key(r, c)], term)
        return term

    def cell_of(self, s: dict, storage: ir.Storage, t: int):
        """A cpu cell of the CPU task t runs on."""
        term = s[storage.name, self.ncpus - 1]
        for c in reversed(range(self.ncpus - 1)):
            term = z3.If(s[RUN, c] == t, s[storage.name, c], term)
        return term

    def kind_in(self, s: dict, t: int, kinds) -> z3.BoolRef:
        """The top frame of task t is of one of `kinds` (indices)."""
        d = s[DEPTH, t]
        entries = [k.index for k in self.entries if k.index in kinds]
        above = z3.Or([z3.Select(s[KIND, t], d) == k for k in entries]) if entries else z3.BoolVal(False)
        return z3.If(d == 0, z3.BoolVal(self.base[t].index in kinds), above)

    def kinds_where(self, flag: Callable[[ir.FrameKind], bool]) -> frozenset[int]:
        return frozenset(k.index for k in self.model.kinds if flag(k))

    def phase_is(self, s: dict, t: int, phase: int) -> z3.BoolRef:
        """The top frame of task t is in `phase` (the base frame is always in its body)."""
        if phase == ev.PREEMPTED:
            return s[EXITING, t]
        d = s[DEPTH, t]
        if phase == ev.BODY:
            if not self.windows:
                return z3.Not(s[EXITING, t])
            return z3.And(z3.Not(s[EXITING, t]), z3.Or(d == 0, z3.Select(s[PHASE, t], d) == 0))
        return z3.And(z3.Not(s[EXITING, t]), d >= 1, z3.Select(s[PHASE, t], d) == phase)

    def top_in(self, s: dict, t: int, frames) -> z3.BoolRef:
        """The top frame's (kind, phase) is one of `frames` (events.Top)."""
        by_phase: dict[int, set] = {}
        for kind, phase in frames:
            by_phase.setdefault(phase, set()).add(kind)
        if not by_phase:
            return z3.BoolVal(False)
        if not self.windows and by_phase.keys() == {ev.BODY, ev.PREEMPTED}:
            both = by_phase[ev.BODY] & by_phase[ev.PREEMPTED]  # either phase: the kind alone decides
            terms = [self.kind_in(s, t, both)] if both else []
            terms += [z3.And(self.phase_is(s, t, p), self.kind_in(s, t, kinds - both))
                      for p, kinds in sorted(by_phase.items()) if kinds - both]
            return z3.Or(terms) if len(terms) > 1 else terms[0]
        terms = [z3.And(self.phase_is(s, t, p), self.kind_in(s, t, kinds)) for p, kinds in sorted(by_phase.items())]
        return z3.Or(terms) if len(terms) != 1 else terms[0]

    def observes(self, s: dict, t: int, user_observes: bool = False) -> z3.BoolRef:
        """The top frame is in its body and kernel code (user mode too, for a register it observes)."""
        body = self.phase_is(s, t, ev.BODY)
        if self.base[t].user_mode and not user_observes:
            return z3.And(body, s[DEPTH, t] >= 1)
        return body

    def below(self, s: dict, t: int, kinds) -> z3.ArithRef:
        """How many frames of `kinds` (indices) lie strictly below the top frame (base kinds never do:
        the base is the bottom frame)."""
        counted = [k for k in self.entries if k.index in kinds]
        if not counted:
            return z3.IntVal(0)
        d = s[DEPTH, t]
        if self.prefix_counts:
            return z3.If(d >= 1, z3.Sum([z3.Select(s[count_key(k, t)], d - 1) for k in counted]), 0)
        total = z3.Sum([s[count_key(k, t)] for k in counted])
        return total - z3.If(self.kind_in(s, t, {k.index for k in counted}), 1, 0)

    def count(self, s: dict, t: int, kind: ir.FrameKind) -> z3.ArithRef:
        """Frames of `kind` on task t's stack."""
        if self.prefix_counts:
            return z3.Select(s[count_key(kind, t)], s[DEPTH, t])
        return s[count_key(kind, t)]

    def value_terms(self, s: dict) -> list:
        """Every value a state holds where a fresh value must not appear (arrays only when bounded)."""
        out = []
        for var in self.vars:
            if not var.value:
                continue
            if var.sort == "int":
                out.append(s[var.key])
            elif var.live is not None:
                first, last = var.live
                out.extend(z3.Select(s[var.key], j) for j in range(first, last + 1))
        return out

    def fresh_constraints(self, s: dict, fresh) -> list:
        return [fresh != 0] + [fresh != v for v in self.value_terms(s)]

    # ---- events ------------------------------------------------------------------

    def _events(self):
        """Every concrete event, in the table's order (semantics/events.py)."""
        return self.system.events()


__all__ = ["Encoding", "Effect", "Transition", "Var", "solver", "check", "SEED", "count_key", "top_key"]
