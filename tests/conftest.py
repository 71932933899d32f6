"""Shared test helpers: running the CLI in-process, loading specs from text."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from pkrsverify.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
CASES = Path(__file__).resolve().parent / "cases"
# the x86-64 model before `masks`: the model the reference state counts of issues 2-5 were measured on
UNMASKED_MODEL = Path(__file__).resolve().parent / "reference" / "x86_64_unmasked.model"


def on_model(spec: Path, model: Path, directory: Path) -> Path:
    """A copy of `spec` in `directory` that names `model` (by path) instead of `x86_64`."""
    text = spec.read_text().replace("model x86_64\n", f'model "{model}"\n', 1)
    assert f'model "{model}"' in text, spec
    out = directory / spec.name
    out.write_text(text)
    return out

# docs/kernel-facts.md, last table: the violations of the thread's designs at the
# default bounds and the event counts of their hand-worked shortest scenarios.
KERNEL_FACTS_TABLE = {
    "thread_struct": {"no_lost": 6, "no_stale": 5},
    "stack7": {"no_overflow": 8, "no_stale": 5},
    "stack15": {"no_stale": 5},
    "idtentry_state": {"fresh": 3, "no_lost": 4, "no_stale": 5},
    "pt_regs": {"no_stale": 5},
    "pt_regs_switch": {},
    "real_pt_regs": {},
}


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite golden files from the current output instead of comparing")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run `pkrsverify ARGV` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def compare_golden(path: Path, actual: str, update: bool) -> None:
    if update or not path.exists():
        if not update:
            pytest.fail(f"no golden file {path}; run pytest --update-goldens and review it")
        path.write_text(actual)
        return
    assert actual == path.read_text(), f"output differs from {path} (pytest --update-goldens to accept)"
