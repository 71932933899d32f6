"""Bounded model checking: the shortest violation of each property.

One incremental solver unrolls the transition relation a step at a time.
At length k it asks, for each property still open, for k - 1 steps none of
which was fatal followed by a k-th step that violates the property (a fatal
push or pop included: the violation is the step itself, so a path that ends
there is not missed). The first k that is satisfiable is the length of a
shortest counterexample, since every shorter length was refuted first.

A write at step k stores the value k + 1: distinct from INIT and from every
earlier value by construction. The model's event choices become the
system's own `Event`s, and `semantics.system.confirm` replays them through
system.py before anything is reported (a path that does not replay raises
ReplayError: an internal error, never a report).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import z3

from ..front import ir
from ..result import Trace
from ..result import Counterexample
from ..semantics.system import confirm
from .effects import transition
from .encoding import Encoding, check, solver


@dataclass
class Unrolling:
    """The unrolled path: states s0..sk and the event choices between them (mutable inside one run).

    The transition is built once, between template states, and each step is
    that template with the step's own constants substituted (one call into
    Z3 instead of rebuilding every term in Python).
    """

    encoding: Encoding
    solver: z3.Solver = field(default_factory=solver)
    states: list = field(default_factory=list)
    choices: list = field(default_factory=list)
    violated: list = field(default_factory=list)   # per step: Property -> BoolRef
    nonfatal: list = field(default_factory=list)

    def __post_init__(self):
        first = self.encoding.state(0)
        self.states.append(first)
        self.solver.add(self.encoding.initial(first))
        self._pre, self._post = self.encoding.state("pre"), self.encoding.state("post")
        self._choice, self._fresh = z3.Int("event@pre"), z3.Int("fresh@pre")
        step = transition(self.encoding, self._pre, self._post, self._choice, self._fresh)
        # One term per step, so one substitution: the step's constraints, and flags naming its
        # non-fatality and its violations (`violates.no_lost@pre` becomes `violates.no_lost@3`).
        self._properties = tuple(step.violated)
        self._flags = (z3.Bool("nonfatal@pre"), *(z3.Bool(f"violates.{p.value}@pre") for p in self._properties))
        meanings = (step.nonfatal, *step.violated.values())
        self._template = z3.And(*step.constraints, *(f == m for f, m in zip(self._flags, meanings)))

    @property
    def length(self) -> int:
        return len(self.choices)

    def extend(self) -> None:
        """Add step k + 1; the step before it (if any) must not have been fatal."""
        if self.nonfatal:
            self.solver.add(self.nonfatal[-1])
        k = self.length
        before, after = self.states[-1], self.encoding.state(k + 1)
        choice = z3.Int(f"event@{k}")
        pairs = [(self._pre[key], before[key]) for key in before] + [(self._post[key], after[key]) for key in after]
        nonfatal, *violated = (z3.Bool(f"{flag}".replace("@pre", f"@{k}")) for flag in self._flags)
        pairs += [(self._choice, choice), (self._fresh, z3.IntVal(k + 1))]
        pairs += list(zip(self._flags, (nonfatal, *violated)))
        self.solver.add(z3.substitute(self._template, *pairs))
        self.states.append(after)
        self.choices.append(choice)
        self.violated.append(dict(zip(self._properties, violated)))
        self.nonfatal.append(nonfatal)

    def events(self, model: z3.ModelRef) -> list:
        events = self.encoding.events
        return [events[model.eval(choice, model_completion=True).as_long()] for choice in self.choices]


@dataclass(frozen=True, slots=True)
class BmcOutcome:
    found: dict             # Property -> Counterexample (shortest)
    refuted: int            # no violation of an open property has this many events or fewer
    stopped: str            # "" when every property was decided, else why it stopped
    seconds: float
    unrolling: Unrolling    # to go on from where it stopped (for properties that were still open)


def bmc(encoding: Encoding, properties, max_steps: int, deadline: float | None = None,
        on_violation: Callable[[ir.Property, Trace], None] | None = None,
        resume: Unrolling | None = None) -> BmcOutcome:
    """Shortest violations of `properties` up to `max_steps` events (or until `deadline`).

    `resume` goes on with an unrolling a previous call left, for properties that were
    open in it: every shorter length has been refuted for them already."""
    started = time.perf_counter()
    unrolling = resume or Unrolling(encoding)
    open_ = list(properties)
    found: dict = {}
    refuted = unrolling.length
    stopped = ""
    while open_ and unrolling.length < max_steps:
        unrolling.extend()
        k = unrolling.length
        violated = unrolling.violated[-1]
        # One question per step while nothing is found: does the last step violate any open property?
        # A model answers it for each property it happens to violate; ask again for the rest.
        while open_:
            remaining = None if deadline is None else deadline - time.perf_counter()
            if remaining is not None and remaining <= 0:
                return BmcOutcome(found, refuted, "timeout", time.perf_counter() - started, unrolling)
            if remaining is not None:
                unrolling.solver.set("timeout", max(1, int(remaining * 1000)))
            until = None if remaining is None else time.perf_counter() + remaining
            flag = z3.Bool(f"query.{'.'.join(p.value for p in open_)}@{k}")  # not a step's own flag
            unrolling.solver.add(z3.Implies(flag, z3.Or([violated[p] for p in open_])))
            answer = check(unrolling.solver, flag, until=until)
            if answer == z3.unsat:
                break
            if answer == z3.unknown:
                return BmcOutcome(found, refuted, "timeout", time.perf_counter() - started, unrolling)
            model = unrolling.solver.model()
            events = unrolling.events(model)
            for prop in [p for p in open_ if z3.is_true(model.eval(violated[p], model_completion=True))]:
                confirm(encoding.system, events, prop)  # ReplayError: a bug, never a report
                found[prop] = Counterexample(prop, tuple(events))
                open_.remove(prop)
                if on_violation:
                    on_violation(prop, found[prop])
        refuted = k
    if open_:
        stopped = "step limit"
    return BmcOutcome(found, refuted, stopped, time.perf_counter() - started, unrolling)


__all__ = ["bmc", "BmcOutcome", "Unrolling"]
