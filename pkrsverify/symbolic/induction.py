"""Unbounded proofs: Houdini over generic candidates, then 1-induction.

Plain k-induction fails here at every k: values are unbounded, so from an
unreachable state where a saved slot differs from its frame's interrupted
value, writes and exits give violation-free paths of any length. What
works is to strengthen first. Houdini starts from every candidate of
candidates.py that holds initially and drops, round by round, those that
some step from a state satisfying all the survivors can break; what is left
is the strongest inductive conjunction of the candidates. A property is
proved when no step from a state satisfying it violates the property.

The facts of the encoding itself (a CPU runs one task, counters add up,
...) go through the same rounds and must survive: if one did not, the
encoding would be wrong, and that is an internal error.

The proof of each property is then cut down to the facts it needs (unsat
cores, closed under what each fact's own induction needs), so that a
reviewer reads a handful of lines in the spec's names.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import z3

from ..front import ir
from .candidates import Candidate, candidates, domain_facts
from .certificate import certificate
from .effects import transition
from .encoding import DEPTH, Encoding, check, solver

METHOD = "Houdini invariant + 1-induction"


@dataclass(frozen=True, slots=True)
class Proof:
    method: str
    invariant: tuple[str, ...]   # the facts it rests on, in the spec's names


@dataclass(frozen=True, slots=True)
class InductionOutcome:
    proofs: dict                 # Property -> Proof
    facts: tuple                 # the inductive invariant found, as candidates (for Spacer to build on)
    candidates: int
    kept: int
    rounds: int
    stopped: str                 # "" or why no proof was attempted to the end
    seconds: float
    certificate: str | None = None  # certificate.py: the proofs' obligations as SMT-LIB 2, when asked


@dataclass(frozen=True, slots=True)
class Fact:
    """What one Houdini literal stands for: a candidate for every task (or CPU) of a kind at once.

    Tasks with the same base are interchangeable but for where they start, so a fact is kept
    or dropped for all of them together: fewer literals, fewer rounds, and an invariant that
    reads "a ready task ..." rather than "task 0 ..., task 1 ..."."""

    text: str
    members: tuple[Candidate, ...]
    family: str | None = None  # "user", "kthread" (the tasks' base) or "cpu"; None: a fact of the encoding

    @property
    def key(self) -> tuple[str, str] | None:
        """The same fact in an encoding at other bounds has the same key (parameterized.py)."""
        return None if self.family is None else (self.text, self.family)


def _facts(enc: Encoding, cands: list[Candidate]) -> list[Fact]:
    groups: dict = {}
    for cand in cands:
        who, _, number = cand.owner.partition(" ")
        family = enc.base[int(number)].name if who == "task" else who
        groups.setdefault((cand.text, family), []).append(cand)
    return [Fact(text, tuple(members), family) for (text, family), members in groups.items()]


class Houdini:
    """One solver holding a step from a symbolic state; facts switched on by literals."""

    def __init__(self, enc: Encoding, domain: list[Candidate], cands: list[Candidate], events=None):
        """`events`: the steps to take (default every event of `enc`); fewer is sound only where the rest are
        the same up to renaming tasks and CPUs, which the facts do not see (parameterized.py)."""
        self.enc = enc
        self.events = enc.events if events is None else tuple(events)
        self.ndomain = len(domain)
        self.cands = [Fact(c.text, (c,)) for c in domain] + _facts(enc, cands)
        pre, post = enc.state("pre"), enc.state("post")
        self.solver = solver()
        self.choice = z3.Int("event@pre")
        step = transition(enc, pre, post, self.choice, fresh := z3.Int("fresh@pre"), self.events)
        self.step = step
        self.assumed = (*step.constraints, *enc.fresh_constraints(pre, fresh))  # what a step is
        self.solver.add(*self.assumed)
        self.step_ok = z3.Bool("step.nonfatal")
        self.solver.add(z3.Implies(self.step_ok, step.nonfatal))
        # A frame candidate is assumed at the slots a step reads and proved at an arbitrary one.
        slots = [z3.Int(f"Frame@post[{t}]") for t in range(enc.ntasks)]
        pres, posts = [], []
        for fact in self.cands:
            before, after = [], []
            for cand in fact.members:
                if cand.frame:
                    d = pre[DEPTH, cand.task]
                    before += [cand.build(pre, j) for j in (slots[cand.task], d, d - 1)]
                    after.append(cand.build(post, slots[cand.task]))
                else:
                    before.append(cand.build(pre))
                    after.append(cand.build(post))
            pres.append(z3.And(before) if len(before) > 1 else before[0])
            posts.append(z3.And(after) if len(after) > 1 else after[0])
        self.literals = [z3.Bool(f"inv{i}") for i in range(len(pres))]
        self.dropped = [z3.Not(literal) for literal in self.literals]
        self.holds_after = [z3.Bool(f"inv{i}'") for i in range(len(pres))]
        # Every candidate's outcome after the step in one term: bit i is candidate i (one model
        # evaluation per round instead of one per candidate).
        one, zero = z3.BitVecVal(1, 1), z3.BitVecVal(0, 1)
        bits = [z3.If(after, one, zero) for after in reversed(self.holds_after)]
        self.packed = z3.Concat(*bits) if len(bits) > 1 else bits[0]
        for literal, pre_fact, after, post_fact in zip(self.literals, pres, self.holds_after, posts):
            self.solver.add(z3.Implies(literal, pre_fact), after == post_fact)
        self.pres, self.posts = pres, posts  # each fact before the step (assumed) and after it (claimed)
        init = enc.initial_terms()
        self.initially = [all(z3.is_true(z3.simplify(c.build(init, z3.IntVal(1)) if c.frame else c.build(init)))
                              for c in fact.members) for fact in self.cands]
        self.flags: dict = {}  # goal term id -> the literal that switches it on
        self.broken_by: dict[int, object] = {}  # a dropped fact -> the event (enc.events) whose step broke it

    def run(self, deadline: float | None, start: set[int] | None = None) -> tuple[set[int] | None, int]:
        """The indices of the inductive survivors (None on timeout) and the rounds taken; `start`: only
        these facts are candidates (the facts of the encoding always are)."""
        alive = {i for i, ok in enumerate(self.initially) if ok}
        if start is not None:
            alive &= start | set(range(self.ndomain))
        assert set(range(self.ndomain)) <= alive, "a fact of the encoding fails in the initial state"
        rounds = 0
        # One goal for every round: a candidate still assumed fails after the step. Dropped
        # candidates are assumed false, so they neither constrain the state nor count as failing.
        broken_after = z3.Or([z3.And(lit, z3.Not(after)) for lit, after in zip(self.literals, self.holds_after)])
        while True:
            rounds += 1
            answer = self._check([self.step_ok, *self._lits(alive)], broken_after, deadline)
            if answer == z3.unsat:
                break
            if answer == z3.unknown:
                return None, rounds
            model = self.solver.model()
            bits = model.eval(self.packed, model_completion=True).as_long()
            broken = {i for i in alive if not bits >> i & 1}
            assert broken, "Houdini: a counterexample to induction that breaks nothing"
            event = self.events[model.eval(self.choice, model_completion=True).as_long()]
            self.broken_by.update((i, event) for i in broken)
            alive -= broken
        lost = [self.cands[i].text for i in range(self.ndomain) if i not in alive]
        assert not lost, f"facts of the encoding are not inductive: {lost}"
        return alive, rounds

    def kept(self, alive: set[int]) -> tuple[Candidate, ...]:
        """The candidates (domain facts included) of the surviving facts."""
        return tuple(c for i, fact in enumerate(self.cands) if i in alive for c in fact.members)

    def _lits(self, alive) -> list:
        return [lit if i in alive else off for i, (lit, off) in enumerate(zip(self.literals, self.dropped))]

    def _check(self, assumptions, goal, deadline):
        flag = self.flags.get(goal.get_id())
        if flag is None:
            flag = self.flags[goal.get_id()] = z3.Bool(f"goal{len(self.flags)}")
            self.solver.add(z3.Implies(flag, goal))
        if deadline is not None:
            self.solver.set("timeout", max(1, int((deadline - time.perf_counter()) * 1000)))
        return check(self.solver, *assumptions, flag, until=deadline)

    def prove(self, prop: ir.Property, alive: set[int], deadline, explain: bool) -> tuple[bool | None, set[int]]:
        """Does no step from an invariant state violate `prop`? And (if `explain`) the facts that say so."""
        answer = self._check(self._lits(alive), self.step.violated[prop], deadline)
        if answer != z3.unsat:
            return (None if answer == z3.unknown else False), set()
        if not explain:
            return True, set()
        self.solver.set("core.minimize", True)  # costly, so only when a reader will see the facts
        return True, self._support(self._core(), alive, deadline)

    def _core(self) -> set[int]:
        index = {literal.get_id(): i for i, literal in enumerate(self.literals)}
        return {index[c.get_id()] for c in self.solver.unsat_core() if c.get_id() in index}

    def _support(self, needed: set[int], alive: set[int], deadline) -> set[int]:
        """Close `needed` under the facts each one's induction step needs."""
        queue = sorted(needed)
        while queue:
            i = queue.pop()
            answer = self._check([self.step_ok, *self._lits(alive)], z3.Not(self.holds_after[i]), deadline)
            if answer != z3.unsat:  # timeout: fall back to the whole invariant
                return set(alive)
            for j in self._core() - needed:
                needed.add(j)
                queue.append(j)
        return needed


def prove(enc: Encoding, properties, deadline: float | None = None, explain: bool = True,
          certify: str | None = None) -> InductionOutcome:
    """Houdini, then 1-induction for each property; `explain`: cut each proof down to readable facts;
    `certify` (a title): write the proofs' obligations as SMT-LIB 2 (certificate.py).

    `enc` must count frames per slot (`prefix_counts`): induction starts from any state."""
    assert enc.prefix_counts, "induction needs per-slot frame counts"
    started = time.perf_counter()
    cands = candidates(enc)
    houdini = Houdini(enc, domain_facts(enc), cands)
    alive, rounds = houdini.run(deadline)
    if alive is None:
        return InductionOutcome({}, (), len(cands), 0, rounds, "timeout", time.perf_counter() - started)
    proofs = {}
    stopped = ""
    for prop in properties:
        proved, support = houdini.prove(prop, alive, deadline, explain)
        if proved is None:
            stopped = "timeout"
            break
        if proved:
            proofs[prop] = Proof(METHOD, _readable(enc, houdini, sorted(support)))
    kept = len(alive) - houdini.ndomain
    written = certificate(houdini, alive, list(proofs), certify) if certify is not None and proofs else None
    return InductionOutcome(proofs, houdini.kept(alive), len(cands), kept, rounds, stopped,
                            time.perf_counter() - started, written)


def _readable(enc: Encoding, houdini: Houdini, support: list[int]) -> tuple[str, ...]:
    """One line per fact; where it speaks of some tasks only (user tasks, kthreads), it says which."""
    owners: dict[str, list[str]] = {}
    for i in support:
        if i >= houdini.ndomain:
            fact = houdini.cands[i]
            owners.setdefault(fact.text, []).extend(c.owner for c in fact.members)
    everyone = {"task": enc.ntasks, "cpu": enc.ncpus}
    lines = []
    for text, who in owners.items():
        kind = who[0].split()[0]
        lines.append(text if len(set(who)) == everyone[kind] else f"{text} ({', '.join(sorted(set(who)))})")
    return tuple(lines)


__all__ = ["prove", "Proof", "InductionOutcome", "METHOD", "Houdini", "Fact"]
