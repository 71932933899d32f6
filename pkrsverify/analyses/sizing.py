"""Stack sizing: how many entries can a `task stack N` / `cpu stack N` actually need?

"Is 7 enough?" is answered by making every stack large (CAP entries, so no
push overflows on the way) and asking for the most entries any reachable
state holds, with a shortest path to it. Two engines answer it:

- explicit: a breadth-first search of every reachable state (exact within
  the bounds; the first state seen with m entries ends a shortest path to m);
- z3: BMC finds, length by length, states with more entries than seen so
  far (so the first length that reaches m is the shortest), and Houdini
  proves an upper bound ("S holds at most m entries" is inductive); the
  answer is exact when the two meet. With `unbounded_depth` the bound holds
  for every nesting depth (the model's `max` and `from` lists bound it).

A path to N + 1 entries is the shortest overflow of the declared stack of
N, and is replayed on the spec as written, where it must end in a
no_overflow violation.
"""
from __future__ import annotations

import time
from array import array
from dataclasses import dataclass, replace

import z3

from ..front import ir
from ..symbolic.bmc import Unrolling
from ..symbolic.candidates import candidates, domain_facts
from ..symbolic.encoding import Encoding, top_key
from ..symbolic.induction import Houdini
from ..symbolic.spacer import spacer
from ..semantics.layout import canonical
from ..semantics.system import Action, System
from ..explain.words import describe_event
from ..semantics.system import confirm, replay

CAP = 64  # the largest stack a spec may declare (analyze.RANGES): "needs more than 63" past it
PATIENCE = 3  # BMC steps without a new maximum before Spacer tries to prove it is the maximum
SPACER_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class StackNeed:
    storage: str
    place: str
    declared: int
    needed: int | None       # the most entries a reachable state holds; None: not established
    reached: int             # the most entries found reachable (== needed when it is known)
    upper: int | None        # z3: a proved bound on the entries (None: none proved)
    reach: tuple             # events of a shortest path to `reached` entries
    overflow: tuple          # events of a shortest path past `declared` (empty: none found)
    how: str                 # how `needed` was established, or why not

    @property
    def enough(self) -> bool | None:
        if self.reached > self.declared:
            return False
        return True if self.needed is not None else None


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


def stacks_of(strategy: ir.Strategy) -> tuple[ir.Storage, ...]:
    return tuple(s for s in strategy.storages if s.place.is_stack)


def resized(strategy: ir.Strategy, cap: int = CAP) -> ir.Strategy:
    """The strategy with every stack `cap` entries deep: no push overflows before `cap`."""
    return replace(strategy, storages=tuple(replace(s, size=max(s.size, cap)) if s.place.is_stack else s
                                            for s in strategy.storages))


def describe_path(system: System, events) -> str:
    """`syscall, page_fault, irq` when every event is an entry, else each event as a trace says it."""
    if all(e.action is Action.ENTER for e in events):
        return ", ".join(system.kinds[e.kind].name for e in events)
    return ", ".join(describe_event(system, e) for e in events)


def _overflow_checked(strategy: ir.Strategy, stack: ir.Storage, events) -> tuple:
    """A path to declared + 1 entries must overflow the stack as declared: replay it there."""
    if not events:
        return ()
    confirm(System(strategy), list(events), ir.Property.NO_OVERFLOW)  # ReplayError: a bug
    return tuple(events)


# ---- explicit ----------------------------------------------------------------------------

def size_explicit(strategy: ir.Strategy, spec: str = "", cap: int = CAP, max_states: int | None = None,
                  timeout: float | None = None) -> Sizing:
    started = time.perf_counter()
    system = System(resized(strategy, cap), strategy.bounds)
    layout = system.layout
    stacks = stacks_of(strategy)
    owners = {s.index: [o.stacks[s.index][0] for o in (*layout.tasks, *layout.cpus) if s.index in o.stacks]
              for s in stacks}
    best = {s.index: 0 for s in stacks}
    first = {s.index: {0: 0} for s in stacks}  # entries -> id of the first state holding them
    initial = canonical(system.initial(), layout.values_start)
    index = {initial: 0}
    parents, event_ids, events, numbers = array("q", [-1]), array("l", [-1]), [], {}
    frontier, complete = [initial], True
    while frontier and complete:
        upcoming = []
        for state in frontier:
            source = index[state]
            for step in system.successors(state, 1 << 30):
                if step.state is None:
                    continue
                successor = canonical(step.state, layout.values_start)
                if successor in index:
                    continue
                index[successor] = len(parents)
                parents.append(source)
                event_ids.append(numbers.setdefault(step.event, len(events)))
                if len(events) < len(numbers):
                    events.append(step.event)
                upcoming.append(successor)
                for s in stacks:
                    held = max(successor[p] for p in owners[s.index])
                    if held > best[s.index]:
                        for m in range(best[s.index] + 1, held + 1):
                            first[s.index][m] = index[successor]
                        best[s.index] = held
            if (max_states is not None and len(parents) >= max_states) or \
                    (timeout is not None and time.perf_counter() - started >= timeout):
                complete = False
                break
        frontier = upcoming

    def path(state_id: int) -> tuple:
        out = []
        while state_id > 0:
            out.append(events[event_ids[state_id]])
            state_id = parents[state_id]
        return tuple(reversed(out))

    needs = []
    for s in stacks:
        reached = best[s.index]
        known = complete and reached < cap
        how = (f"every reachable state explored ({len(parents):,} states)" if known else
               f"at least {reached}: the search stopped after {len(parents):,} states" if not complete else
               f"more than {cap - 1} entries: unbounded within these bounds, or nearly")
        overflow = path(first[s.index][s.size + 1]) if s.size + 1 in first[s.index] else ()
        needs.append(StackNeed(s.name, s.place.value, s.size, reached if known else None, reached, None,
                               path(first[s.index][reached]), _overflow_checked(strategy, s, overflow), how))
    return Sizing(spec, strategy.name, strategy.model.name, strategy.bounds, False, "explicit", tuple(needs),
                  time.perf_counter() - started)


# ---- z3 -----------------------------------------------------------------------------------

def size_z3(strategy: ir.Strategy, spec: str = "", unbounded_depth: bool = False, cap: int = CAP,
            max_steps: int = 30, timeout: float | None = None) -> Sizing:
    started = time.perf_counter()
    deadline = None if timeout is None else started + timeout
    big = resized(strategy, cap)
    bounds = strategy.bounds
    if unbounded_depth:  # a path of k events nests at most k deep: replay it on a system that allows that
        bounds = replace(bounds, depth=max(bounds.depth, max_steps))
    system = System(big, bounds)
    stacks = stacks_of(strategy)
    inductive = Encoding(system, unbounded_depth, prefix_counts=True)
    upper, invariant = _upper_bounds(inductive, stacks, deadline)
    proofs: dict = {}  # stack -> what proved its bound, when not Houdini

    def prove_at_most(s: ir.Storage, m: int) -> bool:
        """Spacer, when no template bounds the stack: is no state with more than m entries reachable?"""
        owners = range(inductive.ntasks) if s.place is ir.Place.TASK_STACK else range(inductive.ncpus)
        left = SPACER_TIMEOUT if deadline is None else min(SPACER_TIMEOUT, deadline - time.perf_counter())
        if left <= 0:
            return False
        proved = spacer(inductive, None, strengthen=invariant, timeout=left,
                        bad=lambda st: z3.Or([st[top_key(s, o)] > m for o in owners])) is True
        if proved:
            upper[s.index] = m
            proofs[s.index] = "Spacer"
        return proved

    reached, paths, complete = _lower_bounds(Encoding(system, unbounded_depth), stacks, upper, max_steps, deadline,
                                             prove_at_most)
    needs = []
    for s in stacks:
        got, bound = reached[s.index], upper[s.index]
        known = bound is not None and got == bound
        depth = "every nesting depth" if unbounded_depth else "these bounds"
        how = (f"proved: {proofs.get(s.index, 'Houdini')} shows at most {bound} entries, and BMC reaches {got} "
               f"({depth})" if known else
               f"at least {got}" + (f", at most {bound} (proved)" if bound is not None else ", no upper bound proved")
               + f": {complete}")
        reach = paths[s.index].get(got, ())
        if reach:
            replay(system, list(reach))  # a path the semantics allows (ReplayError otherwise: a bug)
        overflow = paths[s.index].get(s.size + 1, ())
        needs.append(StackNeed(s.name, s.place.value, s.size, got if known else None, got, bound, reach,
                               _overflow_checked(strategy, s, overflow), how))
    return Sizing(spec, strategy.name, strategy.model.name, strategy.bounds, unbounded_depth, "z3", tuple(needs),
                  time.perf_counter() - started)


def _upper_bounds(enc: Encoding, stacks, deadline) -> tuple[dict, tuple]:
    """The least m for which Houdini proves "holds at most m entries", per stack (None: none),
    and the whole invariant Houdini found (for Spacer to build on)."""
    cands = candidates(enc)
    houdini = Houdini(enc, domain_facts(enc), cands)
    alive, _ = houdini.run(deadline)
    out = {}
    for s in stacks:
        owners = range(enc.ntasks) if s.place is ir.Place.TASK_STACK else range(enc.ncpus)
        per_owner = []
        kept = houdini.kept(alive) if alive is not None else ()
        for owner in owners:
            proved = [c.bound[2] for c in kept if c.bound is not None and c.bound[:2] == (s.name, owner)]
            per_owner.append(min(proved) if proved else None)
        out[s.index] = None if None in per_owner else max(per_owner, default=0)
    return out, (houdini.kept(alive) if alive is not None else ())


def _lower_bounds(enc: Encoding, stacks, upper: dict, max_steps: int, deadline, prove_at_most):
    """Per stack: the most entries reached, and for each m a shortest path to m entries.

    When BMC has not reached more for PATIENCE steps and nothing bounds the stack yet,
    `prove_at_most(stack, m)` gets one try (Spacer) at closing the question."""
    unrolling = Unrolling(enc)
    best = {s.index: 0 for s in stacks}
    paths = {s.index: {0: ()} for s in stacks}
    improved = {s.index: 0 for s in stacks}
    tried: set = set()

    def done(s) -> bool:
        return upper[s.index] is not None and best[s.index] >= upper[s.index]

    while not all(done(s) for s in stacks):
        if unrolling.length >= max_steps:
            return best, paths, f"BMC stopped at the step limit ({max_steps} events)"
        unrolling.extend()
        k = unrolling.length
        state = unrolling.states[-1]
        for s in [s for s in stacks if not done(s)]:
            owners = range(enc.ntasks) if s.place is ir.Place.TASK_STACK else range(enc.ncpus)
            tops = [state[top_key(s, o)] for o in owners]
            while not done(s):
                if deadline is not None:
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        return best, paths, "time limit"
                    unrolling.solver.set("timeout", max(1, int(left * 1000)))
                more = z3.Bool(f"more.{s.name}.{best[s.index]}@{k}")
                unrolling.solver.add(z3.Implies(more, z3.And(unrolling.nonfatal[-1],
                                                             z3.Or([t > best[s.index] for t in tops]))))
                answer = unrolling.solver.check(more)
                if answer == z3.unknown:
                    return best, paths, "time limit"
                if answer == z3.unsat:
                    break
                model = unrolling.solver.model()
                held = max(model.eval(t, model_completion=True).as_long() for t in tops)
                events = tuple(unrolling.events(model))
                for m in range(best[s.index] + 1, held + 1):
                    paths[s.index][m] = events
                best[s.index] = held
                improved[s.index] = k
            key = (s.index, best[s.index])
            if not done(s) and upper[s.index] is None and k - improved[s.index] >= PATIENCE and key not in tried:
                tried.add(key)
                prove_at_most(s, best[s.index])
    return best, paths, "exact"


__all__ = ["StackNeed", "Sizing", "size_explicit", "size_z3", "stacks_of", "resized", "describe_path", "CAP"]
