"""pkrsverify: model-check how a per-CPU register is kept across nested kernel entries.

The pipeline, one stage per package (ARCHITECTURE.md):
    front/ (text -> AST -> IR) -> semantics/ (the table of events, System) -> explicit/ | symbolic/ (engines)
    -> result.py -> explain/ (traces, culprits) -> analyses/ -> report/ -> outcome.py -> commands/, cli.py
`load_strategy` runs the front end on a file and its model; `check` is the explicit engine. The names
below are imported when first used, so that `pkrsverify --help` does not pay for every stage.
"""
from importlib import import_module

__version__ = "0.1.0"

_API = {"parse": "front.parser", "analyze_model": "front.analyze", "analyze_strategy": "front.analyze",
        "load_strategy": "front.loader", "with_bounds": "front.loader", "System": "semantics.system",
        "check": "explicit.engine"}
__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'pkrsverify' has no attribute {name!r}")
