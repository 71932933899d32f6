"""Which statements carry a design: every statement deleted or changed in turn, every mutant checked.

A mutant is a new text of the spec (front/edits.py), loaded like the spec
itself: a mutant that the analysis refuses (a frame storage named in `on
switch_out`, a `push` onto a one-value slot) is reported as not a valid
spec, with the diagnostic, never guessed at. The mutation operators are the
nearest alternatives a reviewer would ask about:

- delete a statement (inside an `if` too);
- `INIT` for the value a statement copies;
- another declared storage for the one a statement names;
- an `if` without its guard (its `then` block always runs; its `else` block
  always runs, when it has one);
- another place for a storage declaration (`task`, `cpu`, `global`, the
  frame places; a stack one entry smaller, or per CPU instead of per task).

Each mutant is judged on the properties that hold for the original: it
BREAKS when one of them is violated, and the explicit engine stops at its
first counterexample, which (the search settles states in order of
distance) is a shortest one over all of them (`Limits.first_violation`);
it SURVIVES when every reachable state was explored and none is. The same
search asks for the original's violations too (it stops early only for a
property the original holds), so a surviving mutant of a broken design
says at no extra search which violations it fixes or reaches sooner. A
deletion that survives is a statement the design does not need, and its
cost (what `review` counts for the original and not for the mutant) is
reported with it. Mutants whose text is the same once comments and
spaces are set aside are searched once.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Iterator

from ..explain.words import source_ref
from ..explicit import engine as explicit
from ..explicit.reduce import Reductions
from ..explicit.search import Limits
from ..front import edits, ir
from ..front import syntax as ast
from ..front.diagnostics import InputError
from ..front.loader import strategy_of
from ..front.source import SourceFile, Span
from ..result import (Broken, CheckResult, MutantOutcome, MutantResult, MutationRun, ReviewFigures, StopReason,
                      Verdict)
from ..semantics.system import System
from .review import review

# The places a one-value storage can move to, and how each is written.
MAX_STATES = 200_000  # per mutant, unless --max-states says otherwise: a seed design has at most 3,000
SLOT_PLACES = ("task", "cpu", "global", "frame in pt_regs", "frame beside pt_regs", "frame local")


@dataclass(frozen=True, slots=True)
class Mutant:
    where: Span          # the statement or declaration it changes
    mutation: str
    operator: str
    edit: edits.Edit


def mutants(tree: ast.StrategyFile) -> Iterator[Mutant]:
    """Every mutant of a spec, in the order of the text."""
    names = [s.name.text for s in tree.storages]
    for handler in tree.handlers:
        for statement in edits.statements(handler.body):
            yield from _of_statement(statement, names)
    for storage in tree.storages:
        for place in _other_places(storage.place):
            yield Mutant(storage.span, place, "place", edits.replace(storage.place.span, place))


def _of_statement(s: ast.Statement, names: list[str]) -> Iterator[Mutant]:
    yield Mutant(s.span, "deleted", "delete", edits.delete(s.span))
    if isinstance(s, ast.If):
        yield Mutant(s.span, "without its guard: always the then block", "guard",
                     edits.replace(s.span, edits.block_text(s.then)))
        if s.otherwise:
            yield Mutant(s.span, "without its guard: always the else block", "guard",
                         edits.replace(s.span, edits.block_text(s.otherwise)))
        return
    value = getattr(s, "value", None)
    if value is not None and not isinstance(value, ast.Init):
        yield Mutant(s.span, f"INIT for {value.span.text}", "value", edits.replace(value.span, "INIT"))
    for name in _storage_names(s):
        for other in names:
            if other != name.text:
                yield Mutant(s.span, f"{other} for {name.text}", "storage", edits.replace(name.span, other))


def _storage_names(s: ast.Statement) -> Iterator[ast.Name]:
    for node in (getattr(s, "target", None), getattr(s, "value", None)):
        if isinstance(node, ast.CellRef):
            yield node.name
    stack = getattr(s, "stack", None)
    if stack is not None:
        yield stack


def _other_places(place: ast.Place) -> list[str]:
    if place.shadows is not None:
        return []  # a shadow is what its `shadow[...]` property is about: moving it changes the question
    if place.size is not None:
        scope = "task" if place.where == "task_stack" else "cpu"
        other = "cpu" if scope == "task" else "task"
        smaller = [f"{scope} stack {place.size.value - 1}"] if place.size.value > 1 else []
        return smaller + [f"{other} stack {place.size.value}"]
    written = " ".join(place.span.text.split())
    return [p for p in SLOT_PLACES if p != written]


# ---- checking them -------------------------------------------------------------------------------

def mutate(source: SourceFile, tree: ast.StrategyFile, strategy: ir.Strategy, original: CheckResult,
           limits: Limits = Limits(MAX_STATES)) -> MutationRun:
    """Every mutant of the spec checked at the original's bounds, on the properties that hold for it."""
    started = time.perf_counter()
    held = tuple(p.property for p in original.properties if p.verdict in (Verdict.HOLDS, Verdict.PROVED))
    violated = tuple(Broken(p.property, p.length) for p in original.properties if p.verdict is Verdict.VIOLATED)
    figures = review(strategy)
    seen: dict[str, MutantResult] = {normal_form(source.text): None}
    results, searches = [], 0
    for mutant in mutants(tree):
        text = edits.apply(source, [mutant.edit])
        key = normal_form(text.text)
        location = source_ref(mutant.where, first_line_only="\n" in mutant.where.text)
        location = replace(location, text=" ".join(location.text.split()))
        if key in seen:
            earlier = seen[key]
            results.append(MutantResult(location, mutant.mutation, mutant.operator, MutantOutcome.EQUIVALENT)
                           if earlier is None else replace(earlier, location=location, mutation=mutant.mutation,
                                                           operator=mutant.operator, reused=True))
            continue
        result = _judge(text, strategy, held, violated, limits, figures, mutant)
        searches += result.outcome in (MutantOutcome.BREAKS, MutantOutcome.SURVIVES, MutantOutcome.UNKNOWN)
        result = replace(result, location=location)
        seen[key] = result
        results.append(result)
    return MutationRun(original.spec, strategy.name, strategy.model.name, strategy.bounds, held, violated,
                       tuple(results), sum(1 for h in tree.handlers for _ in edits.statements(h.body)),
                       len(tree.storages), searches, time.perf_counter() - started)


def _judge(text: SourceFile, strategy: ir.Strategy, held, violated: tuple[Broken, ...], limits: Limits,
           figures: ReviewFigures, mutant: Mutant) -> MutantResult:
    head = dict(location=None, mutation=mutant.mutation, operator=mutant.operator)
    try:
        changed = at_bounds_of(strategy_of(text), strategy)
    except InputError as error:
        first = error.diagnostics[0]
        return MutantResult(**head, outcome=MutantOutcome.INVALID, detail=f"{first.code.value[0]}: {first.message}")
    system, was = System(changed), {b.property: b.length for b in violated}
    # One search: it stops at the first counterexample of a property the original holds (BREAKS), and
    # otherwise runs to the end, which settles the original's violations too (fixed, or reached sooner).
    # More properties can mean more states (fewer dead values, more slices): when the search together hits
    # a limit, the held properties are searched alone, and the violations after them.
    result = first_counterexample(system, text.path, held + tuple(was), limits, stop_on=held)
    if result.unknown and was and held and not _breaks(result, held):
        result = first_counterexample(system, text.path, held, limits)
        if not result.unknown:
            result = _merged(result, first_counterexample(system, text.path, tuple(was), limits, stop_on=()))
    broken = _breaks(result, held)
    if broken:
        return MutantResult(**head, outcome=MutantOutcome.BREAKS, broken=broken)
    if any(p.verdict is Verdict.UNKNOWN and p.property in held for p in result.properties):
        return MutantResult(**head, outcome=MutantOutcome.UNKNOWN, detail=result.stop.value)
    saves = savings(figures, review(changed)) if mutant.operator == "delete" else ()
    fixed = tuple(p.property for p in result.properties if p.property in was and p.verdict is Verdict.HOLDS)
    sooner = tuple(Broken(p.property, p.length) for p in result.properties
                   if p.property in was and p.verdict is Verdict.VIOLATED and p.length < was[p.property])
    return MutantResult(**head, outcome=MutantOutcome.SURVIVES, saves=saves, fixed=fixed, sooner=sooner)


def _breaks(result: CheckResult, held) -> tuple[Broken, ...]:
    return tuple(Broken(p.property, p.length) for p in result.properties
                 if p.verdict is Verdict.VIOLATED and p.property in held)


def _merged(first: CheckResult, second: CheckResult) -> CheckResult:
    """Two searches of one system, on disjoint properties, as one result (a limit in the second leaves its
    properties UNKNOWN: unsaid)."""
    return replace(first, properties=first.properties + second.properties)


# The tries of `first_counterexample`, in order: (states, summaries of atomic excursions on). A seed design
# needs 23,000 states with its excursions' own; a mutant that breaks is refuted in a few hundred without.
TRIES = ((1_000, False), (50_000, True), (50_000, False), (None, True), (None, False))


def first_counterexample(system: System, spec: str, properties, limits: Limits, stop_on=None) -> CheckResult:
    """The explicit search stopped at its first counterexample (of one of `stop_on`, when given: the other
    properties are searched to the end unless one of those is violated).

    Which search is cheaper depends on the design. Without summaries, states are settled level by level
    and a short counterexample is found after a few hundred; with them, the states of each atomic
    excursion are computed whole when it is first met, which pays off for a search that must go to the
    end, but a changed design can make one summary huge (a push that is never popped). So the searches
    of TRIES run in turn, each within its number of states (None: the whole of `limits`): every try is
    exact, and one that hits its limit only hands over to the next."""
    stops = frozenset(properties if stop_on is None else stop_on)
    limits = replace(limits, first_violation=stops)
    done = set()
    for states, summaries in TRIES:
        smaller = states is not None and (limits.max_states is None or states < limits.max_states)
        budget = replace(limits, max_states=states) if smaller else limits
        if (budget.max_states, summaries) in done:
            continue
        done.add((budget.max_states, summaries))
        result = explicit.check(system, spec=spec, properties=properties, limits=budget,
                                reductions=Reductions() if summaries else Reductions.without(["summaries"]))
        if not result.unknown or result.interrupted or result.stop is StopReason.TIMEOUT or any(
                p.verdict is Verdict.VIOLATED and p.property in stops for p in result.properties):
            return result
    return result


def at_bounds_of(changed: ir.Strategy, original: ir.Strategy) -> ir.Strategy:
    """A changed spec judged where the original was: its bounds (command-line ones included) and its
    property list (a mutant may not quietly ask less)."""
    return replace(changed, bounds=original.bounds, declared=original.declared, properties=original.properties)


def normal_form(text: str) -> str:
    """The text with comments and the spaces between words set aside: equal means the same spec."""
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    return " ".join(" ".join(lines).replace(";", " ; ").split())


# ---- what a statement costs ------------------------------------------------------------------------

def savings(before: ReviewFigures, after: ReviewFigures) -> tuple[str, ...]:
    """What `after` no longer pays that `before` does: bytes, MSR reads and writes (worst case)."""
    out = []
    for label, a, b in (("per task", before.bytes_per_task, after.bytes_per_task),
                        ("per CPU", before.bytes_per_cpu, after.bytes_per_cpu),
                        ("per entry frame", before.bytes_per_frame, after.bytes_per_frame),
                        ("in all", before.bytes_global, after.bytes_global)):
        if a > b:
            out.append(f"{a - b} bytes {label}")
    for label, a, b in (("entry", before.entry, after.entry), ("exit", before.exit, after.exit),
                        ("context switch", before.switch, after.switch), ("write", before.write, after.write)):
        wa, wb = a.worst, b.worst
        if wa.writes_max > wb.writes_max:
            n = wa.writes_max - wb.writes_max
            out.append(f"{n} MSR write{'s' if n > 1 else ''} per {label}")
        if wa.reads_max > wb.reads_max:
            n = wa.reads_max - wb.reads_max
            out.append(f"{n} MSR read{'s' if n > 1 else ''} per {label}")
    return tuple(out)


__all__ = ["Mutant", "mutants", "mutate", "savings", "at_bounds_of", "first_counterexample", "SLOT_PLACES",
           "MAX_STATES"]
