"""The smallest repair of a broken design: edits searched by size, each candidate verified.

The edits a reviewer would suggest, each one text edit of the spec
(front/edits.py):

- every mutation of analyses/mutations.py (a statement deleted or changed, a
  storage moved to another place);
- a stack made as large as the model needs (the `size` analysis says how
  large, and why: a shortest path to the deepest push);
- `R = INIT` added to an entry handler that lacks it (for `fresh`);
- the context-switch pair: a `task` slot, `on switch_out` saving the register
  in it and `on switch_in` restoring it (for `no_stale`);
- an `idtentry_state` storage given to every entry kind, and its handlers to
  the kinds that had none (tglx's idtentry_nmi_enter wrappers).

Candidates of one edit come first, then pairs of edits that do not overlap;
the search stops at the first size that repairs. Each candidate is judged by
a `Verifier` (analyses/candidates.py): every counterexample found so far,
for the original or for a candidate, is replayed on it first, and one that
violates a property rules it out with no search (CEGIS); else the explicit
engine searches it to its first counterexample (which joins the pool) or
to its last state (every property holds: a repair). Each repair is then
checked by Z3 as well (Houdini, BMC, Spacer) for a proof at every nesting
depth, and they are ranked by the review figures: MSR writes and reads per
entry, exit and switch, then bytes.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from ..explicit.search import Limits
from ..front import edits, ir
from ..front import syntax as ast
from ..front.loader import strategy_of
from ..front.source import SourceFile
from ..result import CheckResult, ReviewFigures, Verdict
from ..semantics.system import System
from ..symbolic import engine as symbolic
from .candidates import Correct, Verifier
from .mutations import MAX_STATES, at_bounds_of, mutants
from .review import review
from .sizing import Limits as SizingLimits
from .sizing import size

MAX_EDITS = 2


@dataclass(frozen=True, slots=True)
class Change:
    """One edit a reviewer would suggest, in words."""

    says: str
    edits: tuple[edits.Edit, ...]


@dataclass(frozen=True, slots=True)
class Repair:
    changes: tuple[Change, ...]
    text: SourceFile
    diff: str
    explicit: CheckResult
    z3: CheckResult | None
    figures: ReviewFigures

    @property
    def proved(self) -> bool:
        return self.z3 is not None and self.z3.proved


@dataclass(frozen=True, slots=True)
class RepairRun:
    spec: str
    strategy: str
    model: str
    bounds: ir.Bounds
    original: CheckResult
    repairs: tuple[Repair, ...]
    size: int                 # edits in each repair; 0: nothing to repair; -1: none within max_edits
    candidates: int           # distinct valid candidates considered
    invalid: int              # candidates that are not valid specs
    pruned: int               # refuted by replaying a known counterexample, with no search
    searched: int
    seconds: float
    sizes: tuple[str, ...] = ()  # what the `size` analysis said of each stack


def repair(source: SourceFile, tree: ast.StrategyFile, strategy: ir.Strategy, original: CheckResult,
           limits: Limits = Limits(MAX_STATES), prove: bool = True, max_edits: int = MAX_EDITS,
           on_progress: Callable[[str], None] | None = None) -> RepairRun:
    started = time.perf_counter()
    broken = [p for p in original.properties if p.verdict is not Verdict.HOLDS]
    head = dict(spec=original.spec, strategy=strategy.name, model=strategy.model.name, bounds=strategy.bounds,
                original=original)
    if not broken:
        return RepairRun(**head, repairs=(), size=0, candidates=0, invalid=0, pruned=0, searched=0,
                         seconds=time.perf_counter() - started)
    sized, sizes = _stack_sizes(strategy, limits)
    singles = list(_changes(tree, strategy, sized))
    search = _Search(source, strategy, limits, [p.counterexample.events for p in broken if p.counterexample])
    found, used = [], 0
    for used in range(1, max_edits + 1):
        if on_progress:
            on_progress(f"candidates of {used} edit{'s' if used > 1 else ''}")
        for combination in itertools.combinations(singles, used):
            every = [e for change in combination for e in change.edits]
            if any(a.overlaps(b) for a, b in itertools.combinations(every, 2)):
                continue
            result = search.verify(every)
            if result is not None:
                found.append((combination, result))
        if found:
            break
    repairs = tuple(sorted((_repair(source, tree, strategy, changes, result, prove) for changes, result in found),
                           key=lambda r: cost(r.figures)))
    counts = search.verifier
    return RepairRun(**head, repairs=repairs, size=used if found else -1, candidates=counts.candidates,
                     invalid=counts.invalid, pruned=counts.pruned, searched=counts.searched,
                     seconds=time.perf_counter() - started, sizes=sizes)


class _Search:
    """The candidates' verification (analyses/candidates.py), judged at the original's bounds."""

    def __init__(self, source: SourceFile, strategy: ir.Strategy, limits: Limits, paths):
        self.source = source
        self.verifier = Verifier(limits, lambda candidate: at_bounds_of(candidate, strategy), paths)

    def verify(self, every: list[edits.Edit]) -> CheckResult | None:
        """The complete check of a candidate that repairs the design, else None."""
        verdict = self.verifier.verify(edits.apply(self.source, every))
        return verdict.result if isinstance(verdict, Correct) else None


def _repair(source, tree, strategy, changes, result: CheckResult, prove: bool) -> Repair:
    every = [e for change in changes for e in change.edits]
    dropped = [edits.delete_line(e.span) for e in _check_block_expectations(tree)]
    text = edits.apply(source, every)
    shown = edits.apply(source, every + [d for d in dropped if not any(d.overlaps(e) for e in every)])
    candidate = at_bounds_of(strategy_of(text), strategy)
    z3 = None
    if prove:
        z3 = symbolic.check(System(candidate), spec=text.path, unbounded_depth=True,
                            limits=symbolic.Limits(timeout=30.0, explain=False))
    return Repair(tuple(changes), shown, edits.unified_diff(source, shown), result, z3, review(candidate))


def _check_block_expectations(tree: ast.StrategyFile) -> list:
    """`expect P violated` lines: a repaired design no longer meets them, so the diff drops them."""
    return [e for block in tree.checks for e in block.expectations if e.violated]


def cost(figures: ReviewFigures) -> tuple:
    """What a reviewer pays, dearest first: MSR writes, then reads, per entry, exit and switch, then bytes."""
    hooks = (figures.entry.worst, figures.exit.worst, figures.switch.worst)
    return (sum(h.writes_max for h in hooks), sum(h.reads_max for h in hooks), figures.pt_regs_layout_changes,
            figures.bytes_per_frame + figures.bytes_per_task + figures.bytes_per_cpu + figures.bytes_global)


# ---- the edits -------------------------------------------------------------------------------------

def _stack_sizes(strategy: ir.Strategy, limits: Limits) -> tuple[dict[str, int], tuple[str, ...]]:
    if not any(s.size for s in strategy.storages):
        return {}, ()
    sizing = size(strategy, engine="explicit", limits=SizingLimits(max_states=limits.max_states,
                                                                  timeout=limits.timeout))
    needs = {n.storage: n.needed for n in sizing.stacks if n.needed is not None}
    said = tuple(f"{n.storage} ({n.place} {n.declared}): {strategy.model.name} needs "
                 f"{n.needed if n.needed is not None else 'more than can be said within the limits'}"
                 for n in sizing.stacks)
    return needs, said


def _changes(tree: ast.StrategyFile, strategy: ir.Strategy, sized: dict[str, int]) -> Iterator[Change]:
    for mutant in mutants(tree):
        yield Change(f"{mutant.mutation}: `{edits.one_line(mutant.where)}`" if mutant.operator != "place"
                     else f"`{mutant.where.text.split(':')[0].strip()}` moved to `{mutant.mutation}`",
                     (mutant.edit,))
    for decl in tree.storages:
        need = sized.get(decl.name.text)
        if need is not None and decl.place.size is not None and need != decl.place.size.value:
            scope = "task" if decl.place.where == "task_stack" else "cpu"
            yield Change(f"`{decl.name.text}` sized `{scope} stack {need}`, what the model needs (`size`)",
                         (edits.replace(decl.place.span, f"{scope} stack {need}"),))
    yield from _resets(tree, strategy)
    yield from _switch_pair(tree, strategy)
    yield from _state_for_every_kind(tree, strategy)


def _resets(tree: ast.StrategyFile, strategy: ir.Strategy) -> Iterator[Change]:
    fresh = [r.name for r in strategy.registers if ir.Property(f"fresh[{r.name}]" if r.name != ir.PKRS
                                                                 else "fresh") in strategy.properties]
    for handler in tree.handlers:
        if handler.hook.text != "entry":
            continue
        for register in fresh:
            if not any(isinstance(s, ast.Assign) and isinstance(s.target, ast.Reg) and
                       s.target.name.text == register and isinstance(s.value, ast.Init) for s in handler.body):
                yield Change(f"`{register} = INIT` at the end of `{edits.one_line(handler.span).split('{')[0]}`",
                             (edits.append_statement(handler, f"{register} = INIT"),))


def _switch_pair(tree: ast.StrategyFile, strategy: ir.Strategy) -> Iterator[Change]:
    hooks = {h.hook.text for h in tree.handlers}
    if hooks & {"switch_out", "switch_in"} or not tree.storages or not tree.handlers:
        return
    names = {s.name.text for s in tree.storages}
    for register in (r.name for r in strategy.registers):
        slot = next(n for n in (f"thread.{register.lower()}", f"thread.saved_{register.lower()}",
                                f"thread.switch_{register.lower()}") if n not in names)
        yield Change(f"the context switch saves {register} in `{slot}` (a `task` slot) and restores it",
                     (edits.insert_item_after(tree.storages[-1].span, f"storage {slot} : task"),
                      edits.insert_item_after(tree.handlers[-1].span,
                                              f"on switch_out {{ {slot} = {register} }}\n"
                                              + edits.indentation(tree.span.source.text, tree.handlers[-1].span.start)
                                              + f"on switch_in  {{ {register} = {slot} }}")))


def _state_for_every_kind(tree: ast.StrategyFile, strategy: ir.Strategy) -> Iterator[Change]:
    everyone = [k.name for k in strategy.model.entries]
    for decl in tree.storages:
        if decl.place.where != "idtentry_state":
            continue
        listed = [n.text for n in decl.place.kinds]
        if set(listed) == set(everyone):
            continue
        lists = [h for h in tree.handlers if h.kinds is not None and {n.text for n in h.kinds} == set(listed)]
        if not lists:
            continue
        text = decl.place.span.text
        new_place = text[:text.index("(") + 1] + ", ".join(everyone) + ")"
        work = [edits.replace(decl.place.span, new_place)]
        for handler in lists:  # `on entry(page_fault, irq)` -> `on entry`: every kind
            source = handler.span.source.text
            start = source.index("(", handler.hook.span.end)
            end = source.index(")", start) + 1
            work.append(edits.Edit(start, end, ""))
        missing = ", ".join(k for k in everyone if k not in listed)
        yield Change(f"every entry kind gets `{decl.name.text}` (idtentry state for {missing} too), and its "
                     "handlers run on every kind", tuple(work))


__all__ = ["repair", "Repair", "RepairRun", "Change", "cost", "MAX_EDITS"]
