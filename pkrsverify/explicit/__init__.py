"""The explicit-state engine: generated successors, the shortest-distance search, exact reductions."""
