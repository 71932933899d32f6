"""The generated successor function (explicit/compiled.py, explicit/generate.py) against System.successors.

On reachable states of every spec in specs/ and every hand-worked case, at
bounds with several tasks and CPUs: the same events in the same order, the
same violated properties and checks made, the same fatal steps, and next states equal up to
the canonical renaming of values.
"""
from __future__ import annotations

import random

import pytest

from conftest import CASES, SPECS
from pkrsverify.explicit.compiled import Compiled
from pkrsverify.explicit.states import rename
from pkrsverify.semantics.layout import canonical
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.semantics.system import System

FRESH = 1 << 30


def _reachable(system: System, limit: int, seed: int = 0) -> list[tuple]:
    """Up to `limit` canonical reachable states: a BFS, then a random sample of deeper ones."""
    vs = system.layout.values_start
    start = canonical(system.initial(), vs)
    seen, frontier = {start}, [start]
    while frontier and len(seen) < limit:
        upcoming = []
        for state in frontier:
            if len(seen) >= limit:
                break
            for step in system.successors(state, FRESH):
                if step.state is not None:
                    nxt = canonical(step.state, vs)
                    if nxt not in seen:
                        seen.add(nxt)
                        upcoming.append(nxt)
        frontier = upcoming
    # random walks reach the deep nesting a short BFS misses
    rng = random.Random(seed)
    states = list(seen)
    walks = []
    for _ in range(limit // 20):
        state = start
        for _ in range(rng.randrange(5, 40)):
            steps = [s for s in system.successors(state, FRESH) if s.state is not None]
            if not steps:
                break
            state = canonical(rng.choice(steps).state, vs)
            walks.append(state)
    return states[:limit] + walks


def _compare(system: System, states) -> int:
    compiled = Compiled(system)
    vs = system.layout.values_start
    compared = 0
    for state in states:
        expected = list(system.successors(state, FRESH))
        got = compiled.successors(compiled.encode(state))
        assert [compiled.events[eid] for eid, _, _ in got] == [step.event for step in expected], state
        for (eid, nxt, bits), step in zip(got, expected):
            assert set(compiled.bits.violated(bits)) == set(step.violated), (step.event, state)
            assert compiled.bits.checked_of(bits) == step.checked, (step.event, state)
            if step.state is None:
                assert nxt is None, (step.event, state)
            else:
                assert rename(nxt, vs) == compiled.encode(canonical(step.state, vs)), (step.event, state)
                assert compiled.decode(rename(nxt, vs)) == canonical(step.state, vs)
            compared += 1
    return compared


SPEC_FILES = sorted(SPECS.glob("*.spec"))
CASE_FILES = sorted(CASES.glob("*.spec"))


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("tasks,cpus,depth", [(2, 1, 8), (3, 2, 3)])
def test_specs(spec, tasks, cpus, depth):
    system = System(with_bounds(load_strategy(spec), tasks=tasks, cpus=cpus, depth=depth))
    assert _compare(system, _reachable(system, 400)) > 400


@pytest.mark.parametrize("spec", CASE_FILES, ids=lambda p: p.stem)
def test_cases(spec):
    strategy = load_strategy(spec)
    bounds = strategy.bounds
    more = {"tasks": bounds.tasks + 1} if bounds.tasks else {"kthreads": bounds.kthreads + 1}
    system = System(with_bounds(strategy, cpus=min(bounds.cpus + 1, 2), **more))
    assert _compare(system, _reachable(system, 300)) > 0


def test_fresh_value_and_encoding_round_trip():
    system = System(with_bounds(load_strategy(SPECS / "thread_struct.spec"), tasks=2, cpus=2, depth=3))
    compiled = Compiled(system)
    initial = compiled.initial()
    assert compiled.decode(initial) == canonical(system.initial(), system.layout.values_start)
    assert all(compiled.decode(compiled.encode(s)) == s for s in _reachable(system, 200))
