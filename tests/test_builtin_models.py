"""The built-in models beyond bare metal (pkrsverify/models/): SEV-ES, TDX and FRED.

Each loads by name from any spec, keeps the bare-metal entries of x86_64,
and adds or changes exactly what docs/kernel-facts.md says (§1.1 #VC and
#VE, §5 FRED); a design checked under each is judged alike by both engines;
and `compare --model` puts one design side by side under two models.
"""
from __future__ import annotations

import pytest

from conftest import SPECS, run_cli
from pkrsverify.analyses.agreement import disagreements
from pkrsverify.explicit import engine as explicit
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.semantics.system import System
from pkrsverify.symbolic import engine as symbolic

MODELS = ["x86_64", "x86_64_sev_es", "x86_64_tdx", "x86_64_fred"]


def _model(name: str):
    return load_strategy(SPECS / "pt_regs_switch.spec", name).model


def test_each_model_keeps_the_bare_metal_entries_and_adds_what_the_facts_say():
    bare = {k.name for k in _model("x86_64").kinds}
    sev, tdx, fred = (_model(m) for m in MODELS[1:])
    assert {k.name for k in sev.kinds} == bare | {"vc"} and sev.kind("vc").in_windows
    assert sev.kind("vc").interrupts == frozenset(range(len(sev.kinds)))  # #VC nests anywhere, NMI included
    assert {k.name for k in tdx.kinds} == bare | {"ve"} and not tdx.kind("ve").in_windows
    assert tdx.kind("nmi").index in tdx.kind("ve").interrupts
    assert {k.name for k in fred.kinds} == bare
    assert not any(k.in_windows for k in fred.kinds), "FRED delivery leaves no entry window"
    assert fred.kind("page_fault").delivers == ("CR2",) and not fred.kind("page_fault").reads


@pytest.mark.parametrize("model", MODELS)
def test_a_design_under_each_model_is_judged_alike_by_both_engines(model):
    strategy = with_bounds(load_strategy(SPECS / "pt_regs_switch.spec", model), tasks=1, depth=3)
    system = System(strategy)
    ours = explicit.check(system)
    theirs = symbolic.check(system, limits=symbolic.Limits(timeout=60, spacer=False, explain=False))
    assert not disagreements(ours, theirs)


def test_compare_puts_one_design_under_two_models(tmp_path):
    spec = tmp_path / "cr2_window.spec"
    spec.write_text('strategy cr2_window {\n    model x86_64\n    register CR2\n'
                    '    on entry(page_fault) { window }\n    check { tasks 1; depth 3 }\n}\n')
    code, out, err = run_cli("compare", str(spec), "--model", "x86_64", "--model", "x86_64_fred", "--plain")
    assert code == 1, err
    rows = {}
    for line in out.splitlines():  # the verdict table's rows come first
        if line.startswith("cr2_window@"):
            rows.setdefault(line.split()[0], line.split()[1:])
    # under the IDT an NMI in the window takes a #PF of its own before the handler reads CR2 (7 events);
    # under FRED the handler reads its event data, not CR2: nothing to check
    assert rows["cr2_window@x86_64"][:2] == ["FAIL", "7"]
    assert rows["cr2_window@x86_64_fred"][0] == "-"


def test_an_unknown_model_on_the_command_line_is_a_located_error():
    code, out, err = run_cli("compare", str(SPECS / "pt_regs_switch.spec"), "--model", "x86_64_fredd")
    assert code == 2 and "x86_64_fred" in err
