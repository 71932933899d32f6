"""The cheapest correct designs of a sketch: every completion verified, the Pareto front by review figures.

A sketch's completions (front/holes.py) are judged one after another by the
explicit engine, each counterexample pruning the rest (analyses/candidates.py:
CEGIS, the replay being the semantics itself). A completion is correct when
the complete search at the sketch's bounds finds every property holding.
The correct ones are compared on the review figures (analyses/review.py):

- bytes per task, per entry frame, and per CPU with the global ones;
- whether `struct pt_regs` changes layout;
- the PKRS MSR writes of an entry, an exit and a context switch, each as the
  most a run does and the least (a write under `if` happens on some runs);
- the MSR reads of the three together.

A design is on the front when no other correct one is as cheap on every figure
and cheaper on one. Each design on the front is proved by Z3 as well (for
every nesting depth); a Z3 counterexample that the reference interpreter
replays as a violation at the sketch's bounds means the engines disagree.

A family is every completion that gives one hole one label (`save=task`).
A family with no correct member is reported with the counterexamples that
ruled its members out: "no design that keeps the value in the task is correct
at depth 8", with the shortest path that shows it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

from ..explain.trace import build_trace
from ..explicit.search import Limits
from ..front import ir
from ..front.holes import Completion, completions, every_hole
from ..front.parser import parse
from ..front.source import SourceFile
from ..result import CheckResult, Counterexample, ReviewFigures, Trace, Verdict
from ..semantics.system import System, refutes
from ..symbolic import engine as symbolic
from .candidates import Correct, Refuted, Same, Undecided, Verifier
from .candidates import Verdict as Judged
from .mutations import MAX_STATES, first_counterexample
from .repair import cost
from .review import review

Z3_TIMEOUT = 30.0  # seconds per design on the front


@dataclass(frozen=True, slots=True)
class Candidate:
    completion: Completion
    verdict: Judged
    figures: ReviewFigures | None = None  # for a correct one
    same_as: int | None = None            # the candidate with the same text (comments and blanks aside)

    @property
    def correct(self) -> bool:
        return isinstance(self.verdict, Correct)


@dataclass(frozen=True, slots=True)
class Proof:
    """What Z3 says of a design on the front."""

    result: CheckResult | None      # None: not asked (--no-proof)
    disagreement: str | None = None  # a Z3 counterexample the interpreter replays: one engine is wrong

    @property
    def proved(self) -> bool:
        return self.result is not None and self.result.proved


@dataclass(frozen=True, slots=True)
class Family:
    """Every completion that gives `hole` the label `label`, when none of them is correct."""

    hole: str
    label: str
    members: int
    ruled_out_by: tuple[tuple[str, int], ...]  # each property, and how many members a counterexample of it refutes
    nearest: int           # the member that is most like the cheapest correct design (an index into candidates)
    shortest: Refuted      # a shortest counterexample of that member, from its own search
    trace: Trace           # the same, told in kernel terms


@dataclass(frozen=True, slots=True)
class SynthesisRun:
    sketch: str
    strategy: str
    model: str
    bounds: ir.Bounds | None                     # None: no completion is a valid spec
    holes: tuple[tuple[str, tuple[str, ...]], ...]  # each hole's name and labels, in the order written
    candidates: tuple[Candidate, ...]            # one per completion, in the order enumerated
    front: tuple[tuple[int, Proof], ...]        # indices into candidates, cheapest first
    families: tuple[Family, ...]                 # the families with no correct member
    distinct: int                                # completions whose texts differ
    invalid: int
    pruned: int
    searched: int
    undecided: int
    seconds: float

    @property
    def correct(self) -> list[int]:
        return [i for i, c in enumerate(self.candidates) if c.correct]

    @property
    def disagree(self) -> bool:
        return any(proof.disagreement for _, proof in self.front)


def synthesize(source: SourceFile, judged: Callable[[ir.Strategy], ir.Strategy] = lambda s: s,
               limits: Limits = Limits(MAX_STATES), prove: bool = True,
               on_progress: Callable[[str], None] | None = None) -> SynthesisRun:
    """Every completion of the sketch judged (at the bounds `judged` gives it), the front proved."""
    started = time.perf_counter()
    verifier = Verifier(limits, judged)
    candidates: list[Candidate] = []
    tree = parse(source)
    for completion in completions(source, tree):
        verdict = verifier.verify(completion.text)
        same_as = verdict.first if isinstance(verdict, Same) else None
        if same_as is not None:
            verdict = candidates[same_as].verdict
        figures = review(verdict.strategy) if isinstance(verdict, Correct) else None
        candidates.append(Candidate(completion, verdict, figures, same_as))
        if on_progress and len(candidates) % 20 == 0:
            on_progress(f"{len(candidates)} completions judged")
    front = pareto_front(candidates)
    if on_progress and prove:
        on_progress(f"proving the {len(front)} designs on the front")
    proofs = tuple((i, _prove(candidates[i], source.path) if prove else Proof(None)) for i in front)
    strategy = verifier.first
    return SynthesisRun(
        sketch=source.path, strategy=strategy.name if strategy else "", model=strategy.model.name if strategy else "",
        bounds=strategy.bounds if strategy else None, holes=_holes(tree), candidates=tuple(candidates),
        front=proofs, families=tuple(ruled_out(candidates, front, limits)),
        distinct=len(verifier.seen), invalid=verifier.invalid, pruned=verifier.pruned, searched=verifier.searched,
        undecided=verifier.undecided, seconds=time.perf_counter() - started)


def _holes(tree) -> tuple[tuple[str, tuple[str, ...]], ...]:
    named: dict[str, tuple[str, ...]] = {}
    for hole in every_hole(tree):
        named.setdefault(hole.name.text, hole.labels)
    return tuple(named.items())


# ---- the front -----------------------------------------------------------------------------------

def objectives(figures: ReviewFigures) -> tuple[int, ...]:
    """The review figures a design is compared on, each the less the better (module docstring)."""
    hooks = (figures.entry.worst, figures.exit.worst, figures.switch.worst)
    return (figures.bytes_per_task, figures.bytes_per_frame, figures.bytes_per_cpu + figures.bytes_global,
            int(figures.pt_regs_layout_changes),
            *(count for hook in hooks for count in (hook.writes_max, hook.writes_min)),
            sum(hook.reads_max for hook in hooks))


def dominates(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(x <= y for x, y in zip(a, b)) and a != b


def pareto_front(candidates: list[Candidate]) -> list[int]:
    """The correct candidates no other correct one dominates, one per distinct text, cheapest first."""
    correct = [i for i, candidate in enumerate(candidates) if candidate.correct and candidate.same_as is None]
    scores = {i: objectives(candidates[i].figures) for i in correct}
    front = [i for i in correct if not any(dominates(scores[j], scores[i]) for j in correct)]
    return sorted(front, key=lambda i: (cost(candidates[i].figures), scores[i]))


def _prove(candidate: Candidate, spec: str) -> Proof:
    strategy = candidate.verdict.strategy
    result = symbolic.check(System(strategy), spec=spec, unbounded_depth=True,
                            limits=symbolic.Limits(timeout=Z3_TIMEOUT, explain=False))
    for p in result.properties:
        if p.verdict is Verdict.VIOLATED and p.counterexample is not None:
            hit = refutes(System(strategy), p.counterexample.events, frozenset(strategy.properties))
            if hit is not None:
                return Proof(result, f"z3 finds {p.property.value} violated in {p.length} events, which the "
                                     "interpreter replays, but the complete explicit search found it holding")
    return Proof(result)


# ---- the families no completion saves ------------------------------------------------------------

def ruled_out(candidates: list[Candidate], front: list[int], limits: Limits) -> list[Family]:
    """Each (hole, label) whose every completion is wrong, with what rules them out.

    Of each family one member is shown: the one whose other labels agree most with the cheapest correct
    design (the first on the front; with none, the first member), that is, the correct design with this
    hole filled this way instead; with a shortest counterexample of its own, since a replayed path is a
    real counterexample but not always a shortest one of the design it refutes."""
    members: dict[tuple[str, str], list[int]] = {}
    for i, candidate in enumerate(candidates):
        for choice in candidate.completion.choices:
            members.setdefault(choice, []).append(i)
    best = set(candidates[front[0]].completion.choices) if front else set()
    out = []
    for (hole, label), group in members.items():
        if any(candidates[i].correct or isinstance(candidates[i].verdict, Undecided) for i in group):
            continue
        counts: dict[str, int] = {}
        for i in group:
            verdict = candidates[i].verdict
            if isinstance(verdict, Refuted):
                counts[verdict.property.value] = counts.get(verdict.property.value, 0) + 1
        nearest = max(group, key=lambda i: len(best & set(candidates[i].completion.choices)))
        shortest = _shortest(candidates[nearest], limits)
        if shortest is None:  # an invalid member: the family is not valid specs, not a design ruled out
            continue
        trace = build_trace(System(shortest.strategy, replace(shortest.strategy.bounds, depth=max(
            shortest.strategy.bounds.depth, shortest.length))), Counterexample(shortest.property, shortest.events))
        out.append(Family(hole, label, len(group), tuple(sorted(counts.items(), key=lambda item: -item[1])),
                          nearest, shortest, trace))
    return out


def _shortest(candidate: Candidate, limits: Limits) -> Refuted | None:
    verdict = candidate.verdict
    if not isinstance(verdict, Refuted):
        return None
    if not verdict.replayed:
        return verdict
    strategy = verdict.strategy
    result = first_counterexample(System(strategy), candidate.completion.text.path, strategy.properties, limits)
    found = [p for p in result.properties if p.counterexample is not None]
    if not found:  # a limit: the replayed path is the best known
        return verdict
    shortest = min(found, key=lambda p: p.length)
    return Refuted(shortest.property, tuple(shortest.counterexample.events), replayed=False, strategy=strategy)


__all__ = ["synthesize", "SynthesisRun", "Candidate", "Family", "Proof", "pareto_front", "objectives",
           "dominates", "ruled_out"]
