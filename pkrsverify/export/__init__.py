"""Exports of a checked strategy to other tools.

`promela.promela(strategy, bounds)` writes the transition system of
docs/semantics.md as a SPIN model (names.py: the spec's names made Promela;
actions.py: the handlers' statements); `spin` runs SPIN on such a model
(spin -a, gcc, pan) and reads pan's verdicts back, for the cross-check and
the benchmarks.
"""
from .promela import ExportError, promela

__all__ = ["promela", "ExportError"]
