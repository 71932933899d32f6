"""`check --prove-first` and `check`'s default `--prove-after` (analyses/prove_first.py): z3 proves what it
can for every number of tasks and CPUs, the explicit search decides the rest.

Ground truth is the explicit search alone, complete, on the same system: every verdict must be the
same (HOLDS there is PROVED or HOLDS here) and every counterexample as short.
"""
from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from conftest import ROOT, run_cli
from pkrsverify.analyses import prove_first
from pkrsverify.explain.trace import explain
from pkrsverify.explicit import engine as explicit
from pkrsverify.front import ir
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.result import StopReason, Verdict
from pkrsverify.semantics.system import System
from strategies import cases, load

SPECS = ROOT / "specs"
DECIDED = (StopReason.COMPLETE, StopReason.ALL_VIOLATED)
SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _facts(result):
    return [(p.property, "holds" if p.verdict in (Verdict.HOLDS, Verdict.PROVED) else p.verdict.value, p.length)
            for p in result.properties]


def _same_as_the_search_alone(system: System, max_states: int = 3_000_000, drawn: bool = False, after: int = 0):
    """`drawn`: a random case, skipped when the search alone cannot finish within `max_states`; `after`: the
    search alone first, up to that many states (0: the proofs first)."""
    alone = explain(system.strategy, explicit.check(system, limits=explicit.Limits(max_states=max_states)))
    if drawn:
        assume(alone.stop in DECIDED)
    assert alone.stop in DECIDED, alone.stop
    first = explain(system.strategy, prove_first.check(system, after=after))
    if after and _within(system, after):  # decided before the proofs were worth it: the search alone
        assert _facts(first) == _facts(alone) and first.statistics == replace(alone.statistics,
                                                                              seconds=first.statistics.seconds)
        assert first.stop is alone.stop
        return alone, first
    assert _facts(first) == _facts(alone)
    proved = any(p.verdict is Verdict.PROVED for p in first.properties)
    if alone.stop is StopReason.ALL_VIOLATED:  # nothing holds, so nothing is proved
        assert first.stop is StopReason.ALL_VIOLATED and not proved
    elif all(p.verdict in (Verdict.PROVED, Verdict.VIOLATED) for p in first.properties) and proved:
        # the search stopped once the rest were violated, or had seen every state by then
        assert first.stop in (StopReason.DECIDED, StopReason.COMPLETE)
    else:
        assert first.stop is StopReason.COMPLETE
    if first.coverage is not None:  # explain/: a proof is never among what the search left unchecked
        assert not {p.property.value for p in first.properties if p.verdict is Verdict.PROVED} \
            & set(first.coverage.unchecked)
    for p in first.properties:
        if p.verdict is Verdict.PROVED:  # a proof covers more than these bounds, and says so
            assert {"tasks", "cpus"} <= p.scope.every and ("--prove-after" if after else "--prove-first") in p.note
    return alone, first


def _within(system: System, states: int) -> bool:
    """Does the search alone decide within `states` stored states (each of its restarts counted alone)?"""
    return explicit.check(system, limits=explicit.Limits(max_states=states)).stop is not StopReason.STATE_LIMIT


@pytest.mark.parametrize("name", ["pt_regs_switch", "thread_struct",  # dr7: as the two-register test, slow
                                  pytest.param("bugs/dr7_db_schedule.before", marks=pytest.mark.slow)])
def test_proved_searched_and_handed_over(name):
    """pt_regs_switch: all proved, nothing searched; thread_struct: four proved, the search finds no_lost
    and no_stale and stops; dr7_db_schedule.before: four proved, but of the others one holds without a
    proof for every number, so the search still explores every state."""
    alone, first = _same_as_the_search_alone(System(load_strategy(SPECS / f"{name}.spec")))
    proved = [p.property.value for p in first.properties if p.verdict is Verdict.PROVED]
    if name == "pt_regs_switch":
        assert len(proved) == len(first.properties) and first.statistics.states == 0
        assert first.stop is StopReason.DECIDED and first.taken is None  # no search: no coverage
    elif name == "thread_struct":
        assert proved == ["fresh", "no_clobber", "no_overflow", "no_underflow"]
        assert first.stop is StopReason.DECIDED and first.statistics.states < alone.statistics.states
    else:
        assert proved == ["fresh[DR7]", "no_clobber[DR7]", "no_overflow", "no_underflow"]
        assert any(p.verdict is Verdict.HOLDS for p in first.properties)
        assert first.stop is StopReason.COMPLETE and first.statistics.states == alone.statistics.states


def test_a_proof_out_of_time_proves_nothing_and_the_search_decides_alone():
    system = System(load_strategy(SPECS / "pt_regs_switch.spec"))
    first = prove_first.check(system, proof_timeout=1e-6)
    alone = explicit.check(system)
    assert [(p.property, p.verdict, p.length) for p in first.properties] == \
           [(p.property, p.verdict, p.length) for p in alone.properties]
    assert first.stop is StopReason.COMPLETE and first.statistics.states == alone.statistics.states


@settings(max_examples=4, **SETTINGS)  # more: test_more_random_specs_are_judged_as_by_the_search_alone (slow)
@given(cases(max_depth=2, max_kinds=2, max_storages=2), st.sampled_from([0, 30, 300]))
def test_random_specs_are_judged_as_by_the_search_alone(case, after):
    _same_as_the_search_alone(System(load(case)), max_states=10_000, drawn=True, after=after)


@pytest.mark.slow
@settings(max_examples=60, **SETTINGS)
@given(cases(registers=True), st.sampled_from([0, 10, 100, 1_000]))
def test_more_random_specs_are_judged_as_by_the_search_alone(case, after):
    _same_as_the_search_alone(System(load(case)), max_states=100_000, drawn=True, after=after)


@pytest.mark.parametrize("after", [300, 15_000, 30_000])
def test_a_search_stopped_early_hands_what_it_left_to_the_proofs(after):
    """thread_struct at the defaults: the slice that no_stale (5 events) and no_lost (6) are asked of keeps
    the ghosts they read until both are violated, then starts again without them (2,411 states). Stopped at
    300 states it has found neither; at 15,000, no_stale; the rest is proved or searched again. Within
    30,000 states the search decides alone, and nothing is proved."""
    system = System(load_strategy(SPECS / "thread_struct.spec"))
    alone, first = _same_as_the_search_alone(system, after=after)
    proved = [p.property.value for p in first.properties if p.verdict is Verdict.PROVED]
    if not _within(system, after):
        assert proved == ["fresh", "no_clobber", "no_overflow", "no_underflow"]
        assert first.stop is StopReason.DECIDED and "once the search had" in first.statistics.reductions
    else:
        assert not proved and first.stop is StopReason.COMPLETE


def test_ctrl_c_in_the_proofs_keeps_what_the_search_before_them_found(monkeypatch):
    def pressed(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(prove_first.symbolic, "proofs", pressed)
    system = System(load_strategy(SPECS / "thread_struct.spec"))
    result = prove_first.check(system, after=15_000)  # no_stale is violated by then, the rest undecided
    assert result.stop is StopReason.INTERRUPTED
    verdicts = {p.property.value: (p.verdict, p.length) for p in result.properties}
    assert verdicts.pop("no_stale") == (Verdict.VIOLATED, 5)
    assert set(verdicts.values()) == {(Verdict.UNKNOWN, None)}


@pytest.mark.slow
@pytest.mark.parametrize("bounds", [{}, {"tasks": 3, "cpus": 2}])
@pytest.mark.parametrize("path", sorted(SPECS.glob("*.spec")) + sorted((SPECS / "bugs").glob("*.spec")),
                         ids=lambda p: p.stem)
def test_every_spec_is_judged_as_by_the_search_alone(path, bounds):
    _same_as_the_search_alone(System(with_bounds(load_strategy(path), **bounds)))


@pytest.mark.parametrize("option", [(), ("--prove-first",), ("--prove-after", "20,000")])
def test_the_command_line(tmp_path, option):
    """4 tasks on 2 CPUs: the search alone takes minutes; by default it stops at 50,000 states, with both
    violations found, and z3 proves the rest."""
    report = tmp_path / "thread_struct.json"
    code, out, err = run_cli("check", *option, "--tasks", "4", "--cpus", "2", "--format", "json",
                             "--output", str(report), str(SPECS / "thread_struct.spec"))
    assert code == 1, err  # violated
    document = json.loads(report.read_text())
    jsonschema.validate(document, json.loads((ROOT / "pkrsverify" / "report" / "result.schema.json").read_text()))
    (result,) = document["results"]
    assert result["stop"] == "decided" and result["bounds"]["tasks"] == 4
    verdicts = {p["property"]: (p["verdict"], p.get("length")) for p in result["properties"]}
    assert verdicts["no_lost"] == ("violated", 6) and verdicts["no_stale"] == ("violated", 5)
    assert verdicts["no_clobber"][0] == "proved"
    scopes = {p["property"]: p["scope"] for p in result["properties"] if "scope" in p}
    assert scopes["no_clobber"] == {"tasks": "every", "kthreads": 0, "cpus": "every", "depth": 8}
    statistics = result["statistics"]  # the search's speed, not diluted by the proofs' seconds
    assert statistics["states_per_second"] > statistics["states"] / statistics["seconds"] > 0
    noted = {p["note"].split("; ")[-1] for p in result["properties"] if p["verdict"] == "proved"}
    assert noted == {{(): "proved by z3 once the search had 50,000 states (--prove-after)",
                      ("--prove-first",): "proved by z3 before the search (--prove-first)"}.get(
                          option, "proved by z3 once the search had 20,000 states (--prove-after)")}


@pytest.mark.parametrize("argv, message", [
    (("--prove-first", "--engine", "z3"), "--prove-first and --prove-after are for the explicit engine"),
    (("--prove-after", "10", "--engine", "both"), "--prove-first and --prove-after are for the explicit engine"),
    (("--prove-first", "--strict"), "--strict judges what the search covered"),
    (("--prove-after", "10", "--strict"), "--strict judges what the search covered"),
    (("--prove-after", "lots"), "expected a number of states (0 or more) or never, not 'lots'"),
    (("--prove-after", "-3"), "expected a number of states"),
])
def test_options_that_do_not_go_together(argv, message):
    code, _, err = run_cli("check", *argv, str(SPECS / "pt_regs.spec"))
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [("--prove-after", "never"), ("--strict",), ("--prove-after", "2000")])
def test_where_the_search_speaks_alone(argv):
    """never, and --strict (which judges the search's coverage), search alone however large the search;
    the default is not reached where --max-states is lower, and the search stops there as it always did,
    suggesting the proofs."""
    code, _, err = run_cli("check", *argv, "--tasks", "4", "--cpus", "2", "--max-states", "1000",
                           str(SPECS / "pt_regs_switch.spec"))
    assert code == 3 and "--prove-first lets z3 prove" in err


def test_a_search_that_stops_short_suggests_the_proofs_first():
    spec = str(SPECS / "pt_regs_switch.spec")
    code, _, err = run_cli("check", "--tasks", "4", "--cpus", "2", "--max-states", "1000", spec)
    assert code == 3 and "--prove-first lets z3 prove" in err
    code, _, err = run_cli("check", "--prove-first", "--tasks", "4", "--cpus", "2", "--max-states", "1000", spec)
    assert code == 0 and "--prove-first" not in err  # every property proved: nothing left to search
    code, _, err = run_cli("check", "--prove-after", "500", "--tasks", "4", "--cpus", "2", "--max-states", "1000",
                           spec)
    assert code == 0 and "--prove-first" not in err  # stopped at 500 states, and every property proved


# PKRS kept as pt_regs_switch keeps it (proved for every number), DR7 as in bugs/dr7_db_schedule.before
# (no_stale[DR7] violated, no_lost[DR7] holds without a proof for every number): the search has only
# DR7's slice left to search (from a review of the first version).
TWO_REGISTERS = """strategy two "PKRS done right, DR7 as in dr7_db_schedule.before" {
    model x86_64_db
    register PKRS
    register DR7 { supervisor; fresh in debug_user, debug_kernel, nmi }
    storage regs.pkrs   : frame in pt_regs
    storage thread.pkrs : task
    storage thread.dr7 : task
    storage dr7 : frame local
    on entry(syscall, page_fault, irq) { regs.pkrs = PKRS; PKRS = INIT }
    on exit(syscall, page_fault, irq)  { PKRS = regs.pkrs }
    on entry(debug_user, debug_kernel, nmi) { regs.pkrs = PKRS; PKRS = INIT; dr7 = DR7; DR7 = INIT }
    on exit(debug_user, debug_kernel, nmi) { PKRS = regs.pkrs; DR7 = dr7 }
    on write(DR7) { thread.dr7 = DR7 }
    on switch_out { thread.pkrs = PKRS }
    on switch_in  { PKRS = thread.pkrs; DR7 = thread.dr7 }
}
"""


@pytest.fixture
def two_registers(tmp_path):
    (tmp_path / "models").mkdir()
    model = SPECS / "bugs" / "models" / "x86_64_db.model"
    (tmp_path / "models" / model.name).write_text(model.read_text())
    path = tmp_path / "two.spec"
    path.write_text(TWO_REGISTERS)
    return path


def test_a_register_whose_properties_are_all_proved_is_not_searched(two_registers):
    system = System(load_strategy(two_registers))
    alone, first = _same_as_the_search_alone(system)
    assert first.result_for(ir.Property("no_lost")).verdict is Verdict.PROVED
    assert first.result_for(ir.Property("no_lost[DR7]")).verdict is Verdict.HOLDS
    # the search alone gives the fewest levels of its two slices, PKRS's and DR7's; here DR7's alone is
    # searched (an empty slice once made it 0)
    assert first.statistics.levels >= alone.statistics.levels > 0
    assert not first.coverage.unchecked and not any(p.vacuous for p in first.properties)


def test_a_proof_that_overruns_its_half_of_the_time_leaves_the_search_the_other_half(two_registers):
    """Houdini takes seconds on this spec and the search 0.2 s: with --timeout 4 the search still decides."""
    system = System(load_strategy(two_registers))
    alone = explicit.check(system)
    first = prove_first.check(system, limits=explicit.Limits(timeout=4))
    assert _facts(first) == _facts(alone) and first.stop in DECIDED


def test_ctrl_c_while_z3_seeks_proofs_reports_what_was_reached(two_registers):
    """The first spec is decided in about a second; Ctrl-C lands while Houdini works on the second: the
    JSON report still holds the first, the second is interrupted, exit 130."""
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen([sys.executable, "-m", "pkrsverify", "check", "--prove-first", "--format", "json",
                                str(SPECS / "bugs" / "spec_ctrl_s3.before.spec"), str(two_registers)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(5)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    first, second = json.loads(out)["results"]
    assert first["stop"] == "decided" and second["stop"] == "interrupted"
    assert all(p["verdict"] == "unknown" for p in second["properties"])
