"""Expectations judged against a run that may be bounded differently or cut short.

A spec's `expect` lines speak of the spec's own bounds. `pkrsverify test`
may run with other bounds (to be fast) or hit a limit, so each expectation
comes out MET, MISMATCH, or UNDECIDED, and only what the run really shows
decides it. The argument is monotonicity: when the run's bounds embed in
the spec's (same CPUs and the same tasks starting on them, no more depth
and no more tasks; `embeds`), every path of the run is a path of the spec's
system; so a violation found in the run is one at the spec's bounds, no
longer than the one found, and a spec that holds at larger bounds holds at
its own. Anything else (holds at smaller bounds, a violation at larger
ones) decides nothing and says so.

BFS finds violations in order of length and reports how many levels it
completed, so even an incomplete run rules out violations up to that many
events: enough to contradict an expected length that short.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..front import ir
from ..result import CheckResult, Verdict


class Outcome(Enum):
    MET = "met"
    MISMATCH = "mismatch"
    UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class Judgement:
    expectation: ir.Expectation
    outcome: Outcome
    actual: str         # what the run found, in words
    why: str = ""       # for UNDECIDED and for a mismatch that needs the bounds argument

    def describe(self) -> str:
        e = self.expectation
        text = f"{e.span.location()}: expect {expected(e)}: {self.actual}"
        return text + (f" ({self.why})" if self.why else "")


def expected(e: ir.Expectation) -> str:
    if e.vacuous:
        return f"{e.property.value} vacuous"
    if not e.violated:
        return f"{e.property.value} holds"
    return f"{e.property.value} violated" + (f" length {e.length}" if e.length is not None else "")


def _occupant(bounds: ir.Bounds, cpu: int) -> tuple[str, int] | None:
    """Who starts on `cpu`: task i < cpus runs on CPU i, user tasks numbered first."""
    if cpu < bounds.tasks:
        return ("user", cpu)
    if cpu < bounds.tasks + bounds.kthreads:
        return ("kthread", cpu - bounds.tasks)
    return None


def embeds(small: ir.Bounds, large: ir.Bounds) -> bool:
    """Is every path at `small` bounds a path at `large` ones (kthread k renamed)?

    More depth only enables entries; more tasks only adds ready tasks that a
    path need never pick. More CPUs change who starts running, so CPUs must
    be equal, and so must the task each CPU starts with.
    """
    if small.cpus != large.cpus:
        return False
    if small.depth > large.depth or small.tasks > large.tasks or small.kthreads > large.kthreads:
        return False
    return all(_occupant(small, c) == _occupant(large, c) for c in range(small.cpus))


def incomparable(run: ir.Bounds, spec: ir.Bounds) -> str:
    """Why a run at `run` bounds decides nothing about the spec's: which bound to change to decide it."""
    if run.cpus != spec.cpus:
        return (f"run on {run.cpus} CPU(s), the spec on {spec.cpus}: with other CPUs other tasks start running, "
                f"so neither run's paths are the other's; give --cpus {spec.cpus} to decide it")
    if any(_occupant(run, c) != _occupant(spec, c) for c in range(run.cpus)):
        return "the run starts other tasks on the CPUs than the spec does; give the spec's --tasks and --kthreads"
    return (f"the run is larger in one bound and smaller in another ({run.describe()} against the spec's "
            f"{spec.describe()}); give the spec's bounds to decide it")


def judge(result: CheckResult, expectations: tuple[ir.Expectation, ...], spec: ir.Bounds) -> list[Judgement]:
    run = result.bounds
    same, within, beyond = run == spec, embeds(run, spec), embeds(spec, run)
    levels = result.statistics.levels
    out = []
    for e in expectations:
        found = result.result_for(e.property)
        if found is None:
            continue  # not checked in this run
        if found.verdict is Verdict.VIOLATED:
            out.append(_violated(e, found.length, same, within, beyond, incomparable(run, spec)))
        elif found.verdict in (Verdict.HOLDS, Verdict.PROVED):
            out.append(_holds(e, found, same, within, beyond, result.coverage is not None,
                              "" if within else incomparable(run, spec)))
        else:
            out.append(_unknown(e, found.note, levels, same or beyond))
    return out


def _violated(e: ir.Expectation, length: int, same: bool, within: bool, beyond: bool, apart: str) -> Judgement:
    actual = f"violated in {length} events"
    if same:
        met = e.violated and (e.length is None or e.length == length)
        return Judgement(e, Outcome.MET if met else Outcome.MISMATCH, actual)
    if within:  # the spec's bounds have this violation, or a shorter one
        if not e.violated:
            return Judgement(e, Outcome.MISMATCH, actual, "at bounds within the spec's, so at the spec's too")
        if e.length is None:
            return Judgement(e, Outcome.MET, actual)
        if length < e.length:
            return Judgement(e, Outcome.MISMATCH, actual, "at bounds within the spec's: the spec's shortest "
                             f"is at most {length} events")
        return Judgement(e, Outcome.UNDECIDED, actual, "at smaller bounds; the spec's may have a shorter one")
    if beyond:  # any violation at the spec's bounds is here too, so none is shorter than this one
        if e.violated and e.length is not None and e.length < length:
            return Judgement(e, Outcome.MISMATCH, actual, "at bounds beyond the spec's: none of "
                             f"{e.length} events exists there")
        return Judgement(e, Outcome.UNDECIDED, actual, "at larger bounds than the spec's")
    return Judgement(e, Outcome.UNDECIDED, actual, f"not comparable: {apart}")


def _holds(e: ir.Expectation, found, same: bool, within: bool, beyond: bool, covered: bool,
           apart: str) -> Judgement:
    """A verdict that holds: met by `holds`, contradicted by `violated` (at bounds that cover the spec's).
    `vacuous` must match the run's word on whether any step checked the property: a check made at
    smaller bounds is made at the spec's, one never made at larger bounds is never made at the spec's.
    A run that does not say what it covered (z3's proofs) judges `vacuous` as `holds`."""
    verdict = found.verdict.value + (" vacuously: no step ever checked it" if found.vacuous else "")
    if covered and not e.violated and e.vacuous != found.vacuous:
        decided = (same or beyond) if found.vacuous else (same or within)
        why = "no step ever checked it, so `holds` says nothing" if found.vacuous else "a step did check it"
        return Judgement(e, Outcome.MISMATCH if decided else Outcome.UNDECIDED, verdict, why)
    if same or beyond:
        return Judgement(e, Outcome.MISMATCH if e.violated else Outcome.MET, verdict)
    why = "at bounds smaller than the spec's: what holds there may not at the spec's" if within else \
        f"not comparable: {apart}"
    return Judgement(e, Outcome.UNDECIDED, verdict, why)


def _unknown(e: ir.Expectation, note: str, levels: int, covers_spec: bool) -> Judgement:
    actual = f"undecided ({note})" if note else "undecided (a limit was hit first)"
    if covers_spec and e.violated and e.length is not None and e.length <= levels:
        return Judgement(e, Outcome.MISMATCH, f"no violation within {levels} events",
                         "a search limit was hit, but only after every scenario that short")
    return Judgement(e, Outcome.UNDECIDED, actual)


@dataclass(frozen=True, slots=True)
class SpecOutcome:
    """One spec of a `test` run: its expectations judged against the run."""

    path: str
    strategy: str
    spec_bounds: ir.Bounds            # the bounds the expectations speak of
    result: CheckResult | None        # None: the spec has no expectations
    judgements: tuple[Judgement, ...]

    @property
    def outcome(self) -> Outcome | None:
        outcomes = {j.outcome for j in self.judgements}
        for worst in (Outcome.MISMATCH, Outcome.UNDECIDED, Outcome.MET):
            if worst in outcomes:
                return worst
        return None
