"""States as bytes: the explicit engine's compact encoding of semantics/layout.py's tuple.

Position p of the layout's tuple, taken modulo 256, so NO_FRAME and IDLE
(-1) are 255. Bytes hash and compare in C, take a fifth of the memory of a
tuple, and rename values with `bytes.translate`. A write stores FRESH
(255), a value no state holds, which the engine renames away at once. A
step's violated properties travel as bits (`BIT`).

Values must fit a byte: a state with more than 254 distinct values (far
beyond any bound an explicit search completes) stops the search at a limit
(`ValueLimit`), like a state or time limit.
"""
from __future__ import annotations

from ..front import ir

NONE = 255      # NO_FRAME, IDLE
FRESH = 255     # the value a write creates, renamed away by the engine
IDENT = bytes(range(256))
PROPERTIES = tuple(ir.Property)
BIT = {p: 1 << i for i, p in enumerate(PROPERTIES)}
# A step also says which checks it made, violated or not, in the bits above: coverage of the
# properties, so that a property no step ever checks is reported as vacuous rather than as holding.
CHECKED = {p: 1 << (16 + i) for i, p in enumerate(PROPERTIES)}
VIOLATIONS = (1 << 16) - 1
# The reductions memoise per structure and per value part (canonical.py, summaries.py). A memo is a
# cache, not a record: past this many entries it is emptied and refilled, which costs time, never an
# answer. At a few hundred bytes an entry the memos then stay well under 1 GB, below the states
# themselves at the default --max-states.
MEMO_LIMIT = 1_000_000


class ValueLimit(Exception):
    """A reachable state holds more distinct values than a byte can name."""


def properties_of(bits: int) -> tuple[ir.Property, ...]:
    return tuple(p for p in PROPERTIES if bits & BIT[p])


def checked_of(bits: int) -> frozenset[ir.Property]:
    return frozenset(p for p in PROPERTIES if bits & CHECKED[p])


def bits_of(properties) -> int:
    out = 0
    for p in properties:
        out |= BIT[p]
    return out


def encode(state: tuple[int, ...]) -> bytes:
    return bytes(x & 0xFF for x in state)


def decode(s: bytes, values_start: int) -> tuple[int, ...]:
    return tuple(-1 if (x == NONE and p < values_start) else x for p, x in enumerate(s))


def rename(s: bytes, values_start: int) -> bytes:
    """Canonical renaming of values (order of first appearance, INIT = 0), in C."""
    values = s[values_start:]
    order = bytes(dict.fromkeys(b"\0" + values))
    if IDENT.startswith(order):
        return s
    return s[:values_start] + values.translate(bytes.maketrans(order, fits(order)))


def fits(order: bytes) -> bytes:
    """The new names of the values in `order` (0, 1, 2, ...), if they leave FRESH free."""
    if len(order) > FRESH:
        raise ValueLimit(f"a reachable state holds more than {FRESH - 1} distinct values, more than the "
                         "explicit engine's encoding (a byte each) can name")
    return IDENT[:len(order)]
