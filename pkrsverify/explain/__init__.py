"""From a counterexample to a story: replayed traces, value provenance, culprits, coverage."""
