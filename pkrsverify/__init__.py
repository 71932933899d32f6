"""pkrsverify: model-check how PKRS is kept across nested kernel entries.

The pipeline, one pure stage per module:
    parse (parser.py) -> analyze (analyze.py) -> System (system.py) -> check (engines/) -> report/
`load_strategy` (loader.py) runs the first two on a file and its model.
"""
from .front.analyze import analyze_model, analyze_strategy
from .explicit.engine import check
from .front.loader import load_strategy, with_bounds
from .front.parser import parse
from .semantics.system import System

__all__ = ["parse", "analyze_model", "analyze_strategy", "load_strategy", "with_bounds", "System", "check"]
__version__ = "0.1.0"
