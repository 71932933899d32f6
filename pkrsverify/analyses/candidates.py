"""Candidate designs verified one after another, each counterexample pruning the rest (CEGIS).

`repair` and `synthesize` both have many texts of one design to judge. Each
candidate is loaded like any spec (a text the analysis refuses is not a valid
candidate, with its diagnostic). Every counterexample found so far, for any
candidate, is replayed on it first by the reference interpreter
(semantics.system.refutes); a path that violates one of its properties is a
real counterexample of this candidate, so it is ruled out with no search at
all. A candidate that survives the replays is searched by the explicit engine,
which stops at its first counterexample (a shortest one: the search settles
states in order of distance), and that path joins the pool; or it explores
every reachable state, and every property holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

from ..explicit.search import Limits
from ..front import ir
from ..front.diagnostics import Diagnostic, InputError
from ..front.loader import strategy_of
from ..front.source import SourceFile
from ..result import CheckResult
from ..semantics.system import System, refutes
from .mutations import normal_form, first_counterexample


@dataclass(frozen=True, slots=True)
class Correct:
    """Every property holds: the complete explicit search of the candidate."""

    strategy: ir.Strategy
    result: CheckResult


@dataclass(frozen=True, slots=True)
class Refuted:
    """A counterexample: found by this candidate's own search, or replayed from another's."""

    property: ir.Property
    events: tuple
    replayed: bool
    strategy: ir.Strategy  # the candidate refuted, as judged

    @property
    def length(self) -> int:
        return len(self.events)


@dataclass(frozen=True, slots=True)
class Invalid:
    error: str  # the first diagnostic, one line
    diagnostic: Diagnostic | None = None  # the same, whole


@dataclass(frozen=True, slots=True)
class Undecided:
    """The search hit a limit (or was interrupted) before a counterexample or the last state."""

    result: CheckResult


@dataclass(frozen=True, slots=True)
class Same:
    """The text of a candidate verified before (comments and spaces aside): judged once."""

    first: int  # which call of `verify` judged it, counting from 0


Verdict = Union[Correct, Refuted, Invalid, Undecided, Same]


class Verifier:
    """Judges candidate texts in turn, with the pool of counterexamples that prunes them.

    `judged` maps each loaded candidate to the strategy it is judged as (the bounds and properties of the
    spec it was derived from, for a repair; the command line's bounds, for a completion)."""

    def __init__(self, limits: Limits, judged: Callable[[ir.Strategy], ir.Strategy] = lambda s: s,
                 paths=()):
        self.limits, self.judged = limits, judged
        self.pool = [tuple(p) for p in paths]
        self.seen: dict[str, int] = {}
        self.calls = self.candidates = self.invalid = self.pruned = self.searched = self.undecided = 0
        self.first: ir.Strategy | None = None  # the first candidate that loaded: its name, model and bounds

    def verify(self, text: SourceFile) -> Verdict:
        key, call = normal_form(text.text), self.calls
        self.calls += 1
        if key in self.seen:
            return Same(self.seen[key])
        self.seen[key] = call
        try:
            candidate = self.judged(strategy_of(text))
        except InputError as error:
            self.invalid += 1
            return Invalid(error.diagnostics[0].message, error.diagnostics[0])
        self.candidates += 1
        self.first = self.first or candidate
        system = System(candidate)
        wanted = frozenset(candidate.properties)
        for i, path in enumerate(self.pool):
            hit = refutes(system, path, wanted)
            if hit is not None:
                self.pruned += 1
                self.pool.insert(0, self.pool.pop(i))  # the path that refutes most is tried first next time
                return Refuted(hit[0], path[:hit[1]], replayed=True, strategy=candidate)
        self.searched += 1
        result = first_counterexample(system, text.path, candidate.properties, self.limits)
        found = [p for p in result.properties if p.counterexample is not None]
        self.pool[:0] = [tuple(p.counterexample.events) for p in found]
        if found:
            shortest = min(found, key=lambda p: p.length)
            return Refuted(shortest.property, tuple(shortest.counterexample.events), replayed=False,
                           strategy=candidate)
        if result.unknown or result.interrupted:
            self.undecided += 1
            return Undecided(result)
        return Correct(candidate, result)


__all__ = ["Verifier", "Verdict", "Correct", "Refuted", "Invalid", "Undecided", "Same"]
