"""States as bytes: the explicit engine's compact encoding of semantics/layout.py's tuple.

Position p of the layout's tuple, taken modulo 256, so NO_FRAME and IDLE
(-1) are 255. Bytes hash and compare in C, take a fifth of the memory of a
tuple, and rename values with `bytes.translate`. A write stores FRESH
(255), a value no state holds, which the engine renames away at once. A
step's violated properties travel as bits (`Bits`, one per strategy).

Values must fit a byte: a state with more than 254 distinct values (far
beyond any bound an explicit search completes) stops the search at a limit
(`ValueLimit`), like a state or time limit.
"""
from __future__ import annotations

from ..front import ir

NONE = 255      # NO_FRAME, IDLE
FROZEN = 254    # a CPU that the search has retired: it takes no more events (reduce/por.py)
FRESH = 255     # the value a write creates, renamed away by the engine
IDENT = bytes(range(256))
# A step also says which checks it made, violated or not, in the bits above CHECKED_SHIFT: coverage of
# the properties, so that a property no step ever checks is reported as vacuous rather than as holding.
CHECKED_SHIFT = 32
VIOLATIONS = (1 << CHECKED_SHIFT) - 1
# The reductions memoise per structure and per value part (canonical.py, summaries.py). A memo is a
# cache, not a record: past this many entries it is emptied and refilled, which costs time, never an
# answer. At a few hundred bytes an entry the memos then stay well under 1 GB, below the states
# themselves at the default --max-states.
MEMO_LIMIT = 1_000_000


class ValueLimit(Exception):
    """A reachable state holds more distinct values than a byte can name."""


class Bits:
    """The properties of one strategy as bits: `bit[p]` when a step violates p, `checked[p]` when it checked
    p. Every property the table checks or the spec asks for has its place, in that order."""

    def __init__(self, properties):
        self.properties = tuple(dict.fromkeys(properties))
        if len(self.properties) > CHECKED_SHIFT:
            raise ValueError(f"{len(self.properties)} properties: the explicit engine tells at most "
                             f"{CHECKED_SHIFT} apart")
        self.bit = {p: 1 << i for i, p in enumerate(self.properties)}
        self.checked = {p: 1 << (CHECKED_SHIFT + i) for i, p in enumerate(self.properties)}

    def violated(self, bits: int) -> tuple[ir.Property, ...]:
        return tuple(p for p in self.properties if bits & self.bit[p])

    def checked_of(self, bits: int) -> frozenset[ir.Property]:
        return frozenset(p for p in self.properties if bits & self.checked[p])

    def of(self, properties) -> int:
        out = 0
        for p in properties:
            out |= self.bit.get(p, 0)
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
