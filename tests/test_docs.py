"""docs/language.md against the implementation.

Every fenced block whose info string is `spec` or `model` is a complete file
and must parse and analyze without a diagnostic (a spec naming `model x86_64`
finds the built-in model), and so must every completion of a `sketch` block;
blocks marked otherwise (`text`) are fragments and
are not checked. The diagnostic catalogue and the property names must all be
documented.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pkrsverify.front import ir
from pkrsverify.front.analyze import analyze_model
from pkrsverify.front.diagnostics import Code
from pkrsverify.front.holes import completions
from pkrsverify.front.loader import load_strategy, read_source, strategy_of, with_bounds
from pkrsverify.front.parser import parse
from pkrsverify.front.source import SourceFile

LANGUAGE = Path(__file__).resolve().parent.parent / "docs" / "language.md"

# An opening fence (``` or longer, or ~~~), its info string, the body, and a
# closing fence of the same character at least as long.
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[`~]*[ \t]*$",
                    re.MULTILINE | re.DOTALL)


def _blocks(text: str) -> list[tuple[str, int, str]]:
    """(first word of the info string, line of the opening fence, body) of every fenced block."""
    found = []
    for match in _FENCE.finditer(text):
        words = match.group("info").split()
        line = text.count("\n", 0, match.start()) + 1
        found.append((words[0] if words else "", line, match.group("body")))
    return found


def _doc() -> str:
    return LANGUAGE.read_text(encoding="utf-8")


def _checked(kind: str) -> list:
    blocks = [pytest.param(body, id=f"line{line}") for info, line, body in _blocks(_doc()) if info == kind]
    return blocks or [pytest.param(None, id="none")]


@pytest.mark.parametrize("text", _checked("model"))
def test_model_blocks_analyze(text):
    assert text is not None, "docs/language.md has no ```model block"
    model = analyze_model(parse(SourceFile("doc.model", text)))
    assert model.kinds, "a model block declares no kind"


@pytest.mark.parametrize("text", _checked("spec"))
def test_spec_blocks_load(text, tmp_path):
    assert text is not None, "docs/language.md has no ```spec block"
    path = tmp_path / "x.spec"
    path.write_text(text, encoding="utf-8")
    strategy = load_strategy(path)
    # The bounds a check would start with must be acceptable too (E106/E115 come here).
    with_bounds(strategy)


@pytest.mark.parametrize("text", _checked("sketch"))
def test_sketch_blocks_complete(text, tmp_path):
    """A sketch block is well formed, and every one of its completions is a spec that loads."""
    assert text is not None, "docs/language.md has no ```sketch block"
    path = tmp_path / "x.sketch"
    path.write_text(text, encoding="utf-8")
    filled = list(completions(read_source(path)))
    assert len(filled) > 1
    for completion in filled:
        with_bounds(strategy_of(completion.text))


def test_fences_are_balanced():
    """Every opening fence is closed, so no block is silently skipped."""
    text = _doc()
    fences = [line for line in text.splitlines() if re.match(r"^(`{3,}|~{3,})", line)]
    assert len(fences) % 2 == 0, "an unclosed code fence in docs/language.md"
    assert len(_blocks(text)) * 2 == len(fences)


def test_both_kinds_of_block_are_present():
    kinds = {info for info, _, _ in _blocks(_doc())}
    assert {"spec", "model"} <= kinds


def test_every_diagnostic_code_is_documented():
    text = _doc()
    missing = [code.id for code in Code if not re.search(rf"\|\s*{code.id}\s*\|", text)]
    assert not missing, f"diagnostic codes without a row in docs/language.md: {missing}"


def test_every_property_is_documented():
    text = _doc()
    missing = [p.value for p in ir.DEFAULTS if f"`{p.value}`" not in text]
    assert not missing, f"properties not named in docs/language.md: {missing}"


# ---- docs/semantics.md against the table of events ------------------------------------------------

def test_semantics_md_describes_every_event_operation_guard_and_property():
    """docs/semantics.md is the table of events in words: every operation, guard condition, location and
    `when` of semantics/events.py, every action of the table and every property is named there."""
    import typing

    from pkrsverify.semantics import events as ev

    text = (LANGUAGE.parent / "semantics.md").read_text(encoding="utf-8")
    names = [t.__name__ for t in typing.get_args(ev.Op) + typing.get_args(ev.Condition)
             + typing.get_args(ev.Value)]
    missing = [n for n in names if f"`{n}(" not in text]
    missing += [f"event {a.value}" for a in ev.Action if f"`{a.value}" not in text]
    missing += [f"property {p.value}" for p in ir.DEFAULTS if f"`{p.value}`" not in text]
    assert not missing, missing
