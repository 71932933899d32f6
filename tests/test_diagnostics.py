"""One file per diagnostic code, each with its expected rendering (golden).

The file name starts with the code the case must produce; the golden file
beside it holds the whole of stderr. Bad input must exit 2 with no traceback.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import compare_golden, run_cli

HERE = Path(__file__).resolve().parent / "diagnostics"
CASES = sorted(HERE.glob("E*.spec"))


@pytest.mark.parametrize("spec", CASES, ids=lambda p: p.stem)
def test_diagnostic(spec: Path, update_goldens: bool, monkeypatch):
    monkeypatch.chdir(HERE)
    code, out, err = run_cli("check", spec.name, "--depth", "1")
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    expected_code = spec.stem.split("_")[0]
    assert f"error[{expected_code}]" in err
    compare_golden(spec.with_suffix(".expected"), err, update_goldens)


def test_every_code_has_a_case():
    from pkrsverify.front.diagnostics import Code
    covered = {p.stem.split("_")[0] for p in CASES}
    # E119 (unreadable file) and E120 (bad command-line value) have no spec file: tested in test_cli.py
    missing = {c.id for c in Code} - covered - {"E119", "E120"}
    assert not missing, f"diagnostic codes without a case file: {sorted(missing)}"


def test_unreadable_file(tmp_path):
    code, out, err = run_cli("check", str(tmp_path / "missing.spec"))
    assert code == 2
    assert "error[E119]" in err and "missing.spec" in err


def test_all_errors_of_several_files_are_reported(monkeypatch):
    monkeypatch.chdir(HERE)
    code, _, err = run_cli("check", "E101_unknown_kind.spec", "E102_unknown_storage.spec")
    assert code == 2
    assert "error[E101]" in err and "error[E102]" in err
    assert os.linesep.join(["nothing was checked"]) in err
