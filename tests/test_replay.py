"""Every counterexample replays, and BFS distances agree with networkx.

The replay re-executes a trace from the initial state on the unreduced
system; the networkx cross-check recomputes, on the full state graph, the
shortest distance to a violating transition and compares it with the BFS.
"""
from __future__ import annotations

import networkx as nx
import pytest

from conftest import SPECS
from pkrsverify.front import ir
from pkrsverify.explicit.engine import check
from pkrsverify.explicit.graph import state_graph
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.explicit.reduce import Reductions
from pkrsverify.result import Verdict
from pkrsverify.semantics.system import System
from pkrsverify.semantics.events import Action
from pkrsverify.semantics.system import ReplayError, confirm, replay

NAMES = ["thread_struct", "stack7", "idtentry_state", "pt_regs", "pt_regs_switch"]


def _system(name, **bounds):
    return System(with_bounds(load_strategy(SPECS / f"{name}.spec"), **bounds))


@pytest.mark.parametrize("name", NAMES)
def test_counterexamples_replay_to_their_violation(name):
    system = _system(name, tasks=2, depth=2)
    result = check(system)
    for prop in result.properties:
        if prop.verdict is Verdict.VIOLATED:
            path = replay(system, prop.counterexample.events)
            assert prop.property in path[-1].step.violated
            assert all(prop.property not in r.step.violated for r in path[:-1])


@pytest.mark.parametrize("name", NAMES)
def test_bfs_lengths_match_networkx_shortest_paths(name):
    system = _system(name, tasks=2, depth=1)
    graph = state_graph(system)
    initial = next(n for n, data in graph.nodes(data=True) if data.get("initial"))
    distance = nx.single_source_shortest_path_length(graph, initial)
    result = check(system, reductions=Reductions.none())  # the literal graph: every state stored
    for prop in ir.DEFAULTS:
        lengths = [distance[u] + 1 for u, _, data in graph.edges(data=True) if prop in data["violated"]]
        found = result.result_for(prop)
        if lengths:
            assert found.verdict is Verdict.VIOLATED and found.length == min(lengths)
        else:
            assert found.verdict is Verdict.HOLDS
    assert result.statistics.states == graph.number_of_nodes() - ("fatal" in graph)


def test_a_path_that_is_not_enabled_is_an_internal_error():
    system = _system("pt_regs", tasks=1, depth=1)
    result = check(system, properties=(ir.Property.NO_STALE,))
    assert result.result_for(ir.Property.NO_STALE).verdict is Verdict.HOLDS
    exit_event = next(s.event for s in system.successors(system.initial(), 1))  # enter from user
    with pytest.raises(ReplayError):  # an enter is not a no_lost violation
        confirm(system, [exit_event], ir.Property.NO_LOST)
    with pytest.raises(ReplayError):  # and an exit from user mode is not enabled
        replay(system, [exit_event._replace(action=Action.EXIT)])
