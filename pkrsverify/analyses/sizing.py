"""Stack sizing: how many entries can a `task stack N` / `cpu stack N` actually need?

The question is asked of the engines themselves, as `no_overflow` at other
sizes of the stack (the other stacks made large, so that only this one can
overflow): a stack needs N entries when no push overflows a stack of N
(the explicit engine explored every reachable state: HOLDS; or z3 PROVED
it, for every nesting depth with `--depth unbounded`) and some path
overflows a stack of N - 1; that path's last event pushes the N-th entry,
and it is a shortest one. Overflowing is monotone in the size (a path that
overflows a stack of m overflows every smaller one, at the same push or an
earlier one), so the sizes are searched from the declared one: a step up
at a time while it overflows (then doubling), a halving search below it
while it does not. Each question costs one `check` of one property, with
every reduction of the engine, within the limits given.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

from ..explain.words import describe_event, source_ref
from ..explicit import engine as explicit
from ..front import ir
from ..result import Counterexample, SourceRef, Verdict
from ..semantics.events import Action
from ..semantics.system import System, confirm
from ..symbolic import engine as symbolic

CAP = 64  # the largest stack a spec may declare (analyze.RANGES): past it, "needs more than 64"
SPACER_TIMEOUT = 20.0  # z3: seconds Spacer may spend on one size (Houdini and BMC come first)
P = ir.Property


@dataclass(frozen=True, slots=True)
class StackNeed:
    storage: str
    place: str
    declared: int
    needed: int | None              # no overflow at this size, an overflow at one less; None: not established
    at_least: int                   # some path pushes this many entries (0: none found)
    at_most: int | None             # no push overflows a stack of this size (None: none shown)
    overflow: Counterexample | None  # the shortest overflow of the declared size
    deepest: Counterexample | None  # a shortest path that pushes the `at_least`-th entry
    overflow_path: str              # both paths in words: `syscall, page_fault, irq`
    deepest_path: str
    how: str                        # how `needed` was established, or why not
    location: SourceRef             # the storage's declaration

    @property
    def enough(self) -> bool | None:
        if self.overflow is not None:
            return False
        return True if self.at_most is not None and self.at_most <= self.declared else None


@dataclass(frozen=True, slots=True)
class Sizing:
    spec: str
    strategy: str
    model: str
    bounds: ir.Bounds
    unbounded_depth: bool
    engine: str
    stacks: tuple[StackNeed, ...]
    seconds: float
    checks: int            # engine runs asked
    stopped: str = ""      # the limit that cut the sizing short, if one did


@dataclass(frozen=True, slots=True)
class Limits:
    max_states: int | None = None   # explicit: per question
    timeout: float | None = None    # for the whole sizing of a spec
    max_steps: int = symbolic.MAX_STEPS


def stacks_of(strategy: ir.Strategy) -> tuple[ir.Storage, ...]:
    return tuple(s for s in strategy.storages if s.place.is_stack)


def with_size(strategy: ir.Strategy, stack: ir.Storage, size: int) -> ir.Strategy:
    """The strategy with `stack` `size` entries deep and every other stack CAP deep."""
    return replace(strategy, storages=tuple(
        replace(s, size=size if s.index == stack.index else max(s.size, CAP)) if s.place.is_stack else s
        for s in strategy.storages))


def describe_path(system: System, events) -> str:
    """`syscall, page_fault, irq` when every event is an entry, else each event as a trace says it."""
    if all(e.action is Action.ENTER for e in events):
        return ", ".join(system.kinds[e.kind].name for e in events)
    return ", ".join(describe_event(system, e) for e in events)


def size(strategy: ir.Strategy, spec: str = "", engine: str = "explicit", unbounded_depth: bool = False,
         limits: Limits = Limits(), on_progress: Callable[[str], None] | None = None) -> Sizing:
    """Every stack of the spec sized by one engine."""
    assert engine in ("explicit", "z3") and (engine == "z3" or not unbounded_depth)
    asker = _Asker(strategy, engine, unbounded_depth, limits, on_progress)
    needs = tuple(asker.size(stack) for stack in stacks_of(strategy))
    return Sizing(spec, strategy.name, strategy.model.name, strategy.bounds, unbounded_depth, engine, needs,
                  time.perf_counter() - asker.started, asker.checks, asker.stopped)


class _Asker:
    """The questions of one sizing, each one engine run of no_overflow."""

    def __init__(self, strategy, engine, unbounded_depth, limits: Limits, on_progress):
        self.strategy, self.engine, self.unbounded = strategy, engine, unbounded_depth
        self.limits, self.on_progress = limits, on_progress
        self.started = time.perf_counter()
        self.checks = 0
        self.stopped = ""
        self.answers: dict = {}  # (stack, size) -> (verdict, counterexample, note)

    def remaining(self) -> float | None:
        if self.limits.timeout is None:
            return None
        return self.limits.timeout - (time.perf_counter() - self.started)

    def ask(self, stack: ir.Storage, m: int):
        """(verdict, counterexample, note) of no_overflow with `stack` m entries deep."""
        key = (stack.index, m)
        if key not in self.answers:
            self.answers[key] = self._run(stack, m)
        return self.answers[key]

    def _run(self, stack: ir.Storage, m: int):
        left = self.remaining()
        if left is not None and left <= 0:
            self.stopped = "time limit"
            return Verdict.UNKNOWN, None, "time limit"
        if self.on_progress:
            self.on_progress(f"{stack.name}: is {m} enough? ({self.engine})")
        self.checks += 1
        system = System(with_size(self.strategy, stack, m))
        if self.engine == "explicit":
            result = explicit.check(system, properties=(P.NO_OVERFLOW,),
                                    limits=explicit.Limits(max_states=self.limits.max_states, timeout=left))
        else:
            spacer = SPACER_TIMEOUT if left is None else min(SPACER_TIMEOUT, left)
            result = symbolic.check(system, properties=(P.NO_OVERFLOW,), unbounded_depth=self.unbounded,
                                    limits=symbolic.Limits(timeout=left, max_steps=self.limits.max_steps,
                                                           spacer_timeout=spacer, explain=False))
        found = result.result_for(P.NO_OVERFLOW)
        if result.interrupted:
            raise KeyboardInterrupt  # Ctrl-C during one question stops the whole sizing
        if found.verdict is Verdict.UNKNOWN and not self.stopped:
            self.stopped = found.note
        return found.verdict, found.counterexample, found.note

    def size(self, stack: ir.Storage) -> StackNeed:
        declared = stack.size
        overflows = lambda m: self.ask(stack, m)[0] is Verdict.VIOLATED  # noqa: E731
        decided = lambda m: self.ask(stack, m)[0] is not Verdict.UNKNOWN  # noqa: E731
        low, high = -1, None  # the largest size known to overflow, the smallest known not to
        if not decided(declared):
            return self.need(stack, low, high)
        if overflows(declared):
            low, step = declared, 1
            while high is None and low < CAP:
                m = min(low + step, CAP)
                if not decided(m):
                    return self.need(stack, low, high)
                if overflows(m):
                    low = m
                else:
                    high = m
                step *= 2
        else:
            high = declared
        while high is not None and high - low > 1:
            middle = (low + high) // 2
            if not decided(middle):
                break
            if overflows(middle):
                low = middle
            else:
                high = middle
        return self.need(stack, low, high)

    def need(self, stack: ir.Storage, low: int, high: int | None) -> StackNeed:
        """What the answers so far establish: overflows at `low` (-1: none known), not at `high`."""
        declared = stack.size
        overflow = self.ask(stack, declared)[1] if (stack.index, declared) in self.answers else None
        deepest = self.ask(stack, low)[1] if low >= 0 else None
        exact = high is not None and high - low == 1
        system = System(self.strategy)
        for m, example in ((declared, overflow), (low, deepest)):
            if example is not None:  # a path of the spec as declared, up to the push of entry m + 1
                confirm(System(with_size(self.strategy, stack, m), _deep(self.strategy, example)), example.events,
                        P.NO_OVERFLOW)
        words = lambda example: describe_path(system, example.events) if example else ""  # noqa: E731
        return StackNeed(stack.name, stack.place.value, declared, high if exact else None, low + 1, high,
                         overflow, deepest, words(overflow), words(deepest), self.how(stack, low, high, exact),
                         source_ref(stack.span, first_line_only=True))

    def how(self, stack, low: int, high: int | None, exact: bool) -> str:
        depth = "every nesting depth" if self.unbounded else "these bounds"
        holds = "proved by z3" if self.engine == "z3" else "every reachable state explored"
        parts = []
        if high is not None:
            parts.append(f"no push overflows {high} ({holds}, {depth})")
        if low >= 0:
            length = self.ask(stack, low)[1].length
            parts.append(f"one overflows {low} after {length} events")
        elif high == 0:
            parts.append("nothing is ever pushed")
        if not exact:
            parts.append(f"stopped: {self.stopped or 'more than ' + str(CAP) + ' entries'}")
        return "; ".join(parts)


def _deep(strategy: ir.Strategy, example: Counterexample) -> ir.Bounds:
    """Bounds at which a path found without a depth bound replays (k events nest at most k deep)."""
    return replace(strategy.bounds, depth=max(strategy.bounds.depth, example.length))


def disagreements(explicit_sizing: Sizing, z3_sizing: Sizing) -> list[str]:
    """Where the two engines' sizings contradict each other (a bug in one of them)."""
    out = []
    for mine, theirs in zip(explicit_sizing.stacks, z3_sizing.stacks):
        if mine.needed is not None and theirs.needed is not None and mine.needed != theirs.needed:
            out.append(f"{mine.storage}: explicit says {mine.needed} entries, z3 says {theirs.needed}")
        if mine.at_most is not None and theirs.at_least > mine.at_most:
            out.append(f"{mine.storage}: explicit shows at most {mine.at_most}, z3 reached {theirs.at_least}")
        if theirs.at_most is not None and mine.at_least > theirs.at_most:
            out.append(f"{mine.storage}: z3 proved at most {theirs.at_most}, explicit reached {mine.at_least}")
        for what in ("overflow", "deepest"):
            a, b = getattr(mine, what), getattr(theirs, what)
            if a is not None and b is not None and a.length != b.length and mine.at_least == theirs.at_least:
                out.append(f"{mine.storage}: shortest {what} path: explicit {a.length} events, z3 {b.length}")
    return out


__all__ = ["StackNeed", "Sizing", "Limits", "size", "stacks_of", "with_size", "describe_path", "disagreements",
           "CAP"]
