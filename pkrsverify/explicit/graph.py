"""The whole reachable state graph (networkx), unreduced: for small pictures and for cross-checks.

The search itself never builds it (search.py keeps a parent map only); tests
compare its shortest distances with the search's, and `--graph` draws it
when it is small.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..semantics.layout import canonical
from ..semantics.system import System

if TYPE_CHECKING:
    import networkx as nx

FRESH = 1 << 30  # a value no canonical state holds; renamed away at once


def state_graph(system: System, max_states: int = 100_000) -> nx.DiGraph:
    """The reachable state graph, for export and for cross-checking the BFS.

    Nodes are canonical states (with `initial=True` on the first); an edge
    carries its event and the properties it violates. A fatal step leads to
    the node "fatal".
    """
    import networkx as nx  # here: a tenth of a second to import, and only --graph and the tests need it

    values_start = system.layout.values_start
    initial = canonical(system.initial(), values_start)
    graph = nx.DiGraph()
    graph.add_node(initial, initial=True)
    frontier = [initial]
    while frontier:
        upcoming = []
        for state in frontier:
            for step in system.successors(state, FRESH):
                target = "fatal" if step.state is None else canonical(step.state, values_start)
                if target not in graph:
                    if graph.number_of_nodes() >= max_states:
                        raise OverflowError(f"more than {max_states} states")
                    graph.add_node(target)
                    if target != "fatal":
                        upcoming.append(target)
                edges = graph.get_edge_data(state, target)
                if edges is None:
                    graph.add_edge(state, target, events=[step.event], violated=set(step.violated))
                else:
                    edges["events"].append(step.event)
                    edges["violated"].update(step.violated)
        frontier = upcoming
    return graph
