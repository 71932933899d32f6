"""pkrsverify: model-check how a per-CPU register is kept across nested kernel entries.

The pipeline, one stage per package (ARCHITECTURE.md):
    front/ (text -> AST -> IR) -> semantics/ (the table of events, System) -> explicit/ | symbolic/ (engines)
    -> result.py -> explain/ (traces, culprits) -> analyses/ -> report/ -> outcome.py -> commands/, cli.py
`load_strategy` runs the front end on a file and its model; `check` is the explicit engine.
"""
from .explicit.engine import check
from .front.analyze import analyze_model, analyze_strategy
from .front.loader import load_strategy, with_bounds
from .front.parser import parse
from .semantics.system import System

__all__ = ["parse", "analyze_model", "analyze_strategy", "load_strategy", "with_bounds", "System", "check"]
__version__ = "0.1.0"
