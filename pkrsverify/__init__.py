"""pkrsverify: model-check how PKRS is kept across nested kernel entries.

The pipeline, one pure stage per module:
    parse (parser.py) -> analyze (analyze.py) -> System (system.py) -> check (engines/) -> report/
`load_strategy` (loader.py) runs the first two on a file and its model.
"""
from .analyze import analyze_model, analyze_strategy
from .engines.explicit import check
from .loader import load_strategy, with_bounds
from .parser import parse
from .system import System

__all__ = ["parse", "analyze_model", "analyze_strategy", "load_strategy", "with_bounds", "System", "check"]
__version__ = "0.1.0"
