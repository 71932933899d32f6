"""Fuzzing the command line: whatever the input, a verdict or a located diagnostic, never a traceback.

Inputs are the seed specs and the hand-worked cases, mutated at the byte
level (flips, deletions, insertions of the language's own words, repeated
and dropped lines, deep nesting) and random valid specs from strategies.py,
mutated the same way. The only assertion is the contract of the command
line: exit 0, 1 or 3 with a report, or exit 2 with a diagnostic that names
a file, a line and a column; never a Python traceback, never exit 70
(internal error). A few hundred inputs run by default, 10,000 in the slow
suite (`pytest -m slow tests/test_fuzz.py`).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CASES, SPECS, run_cli
from strategies import cases

SEEDS = [p.read_bytes() for p in sorted(SPECS.glob("*.spec")) + sorted(CASES.glob("*.spec"))]
WORDS = [w.encode() for w in (
    "strategy", "model", "storage", "on", "entry", "exit", "switch_out", "switch_in", "write", "check", "expect",
    "holds", "violated", "vacuous", "length", "tasks", "cpus", "depth", "kthreads", "push", "pop", "if", "else",
    "PKRS", "INIT", "init", "task", "cpu", "global", "frame", "in", "beside", "pt_regs", "idtentry_state", "only",
    "stack", "{", "}", "(", ")", ";", ",", "=", "==", "!=", ":", "\n", "#", '"', "0", "99", "-1", "\x00", "\xff",
    "é", "masks", "from", "any", "max", "writes", "sleeps", "atomic", "preempt_on_exit", "x86_64", "a" * 300)]
LOCATED = re.compile(r"^[^\s:]+:\d+:\d+: error\[E\d{3}\]", re.M)


@st.composite
def mutated(draw, source: bytes | None = None) -> bytes:
    data = bytearray(source if source is not None else draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "delete", "insert", "repeat_line", "drop_line", "nest"]))
        if action == "flip" and data:
            where = min(where, len(data) - 1)
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif action == "delete":
            del data[where:where + draw(st.integers(1, 40))]
        elif action == "insert":
            data[where:where] = draw(st.sampled_from(WORDS))
        elif action in ("repeat_line", "drop_line"):
            lines = bytes(data).split(b"\n")
            i = min(where, len(lines) - 1)
            lines[i:i + 1] = [lines[i]] * 2 if action == "repeat_line" else []
            data = bytearray(b"\n".join(lines))
        else:
            depth = draw(st.integers(1, 60))
            data[where:where] = b"if PKRS == INIT { " * depth + b"PKRS = INIT" + b" }" * depth
    return bytes(data)


def _run(tmp_path: Path, text: bytes, model: str | None = None) -> None:
    spec = tmp_path / "fuzz.spec"
    spec.write_bytes(text)
    if model is not None:
        (tmp_path / "random.model").write_text(model)
    code, out, err = run_cli("check", str(spec), "--max-states", "300", "--timeout", "5", "--plain")
    assert "Traceback" not in err, err
    assert code in (0, 1, 2, 3), (code, err)
    if code == 2:
        assert LOCATED.search(err) or "<command line>" in err, err


FEW = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
MANY = settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))


@FEW
@given(text=mutated())
def test_mutated_seed_specs(tmp_path_factory, text):
    _run(tmp_path_factory.mktemp("fuzz"), text)


@FEW
@given(case=cases(max_tasks=1, max_cpus=1, max_depth=2, max_kinds=2, max_storages=2), data=st.data())
def test_mutated_random_specs(tmp_path_factory, case, data):
    _run(tmp_path_factory.mktemp("fuzz"), data.draw(mutated(case.spec.encode())), case.model)


@pytest.mark.slow
@MANY
@given(text=mutated())
def test_many_mutated_seed_specs(tmp_path_factory, text):
    _run(tmp_path_factory.mktemp("fuzz"), text)


@pytest.mark.parametrize("depth,code", [(32, 1), (33, 2), (200, 2), (3000, 2)])
def test_deep_nesting_is_checked_or_refused_with_the_limit(tmp_path, depth, code):
    """32 nested `if`s are checked (no exit handler: no_lost is violated); more are refused, naming the limit."""
    body = "if PKRS == INIT { " * depth + "PKRS = INIT" + " }" * depth
    spec = tmp_path / "deep.spec"
    spec.write_text(f"strategy deep {{\n    model x86_64\n    on entry {{ {body} }}\n    check {{ depth 2 }}\n}}\n")
    got, out, err = run_cli("check", str(spec), "--plain")
    assert got == code, err
    if code == 2:
        assert "error[E121]" in err and "at most 32" in err
