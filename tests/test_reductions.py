"""Every reduction is exact: verdicts and shortest lengths do not depend on it.

Each configuration is compared with the literal search (no reduction: every
canonical state stored) where that search completes quickly, and with the
others at larger bounds: all reductions, and all but one (summaries,
symmetry, dead values, slices, por) in turn. On every spec in specs/, every
hand-worked case, two-CPU bounds (where excursions interleave with the other
CPU), and random models and specs from tests/strategies.py with up to three
CPUs (where the partial-order reduction expands one CPU alone). Every counterexample is a
concrete path of the unreduced system: the engine rebuilds it and
semantics.system.confirm replays it, and the test replays it once more.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import strategies
from conftest import CASES, KERNEL_FACTS_TABLE, SPECS, run_cli
from pkrsverify.front import ir
from pkrsverify.front.analyze import analyze_model, analyze_strategy
from pkrsverify.explicit.engine import Limits, check
from pkrsverify.explain.coverage import coverage
from pkrsverify.front.parser import parse
from pkrsverify.front.source import SourceFile
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.explicit.reduce import NAMES, Reductions, canonical
from pkrsverify.explicit.reduce.summaries import sound
from pkrsverify.result import StopReason, Verdict
from pkrsverify.semantics.system import System
from pkrsverify.semantics.system import replay

LITERAL = Reductions.none()
CONFIGS = [Reductions(), *(Reductions.without([name]) for name in NAMES)]
DECIDED = (StopReason.COMPLETE, StopReason.ALL_VIOLATED)


def _verdicts(system: System, reductions: Reductions, max_states: int = 400_000):
    result = check(system, limits=Limits(max_states=max_states), reductions=reductions)
    assert result.stop in DECIDED, (reductions, result.stop)
    for found in result.properties:
        if found.verdict is Verdict.VIOLATED:
            path = replay(system, found.counterexample.events)
            assert found.property in path[-1].step.violated
            assert all(found.property not in r.step.violated for r in path[:-1])
    return {p.property: (p.verdict, p.length) for p in result.properties}


def _agree(system: System, configs, literal: bool = True, max_states: int = 400_000) -> dict:
    expected = _verdicts(system, LITERAL if literal else configs[0], max_states)
    for reductions in configs:
        assert _verdicts(system, reductions, max_states) == expected, reductions.describe()
    return expected


def _system(path: Path, **bounds) -> System:
    return System(with_bounds(load_strategy(path), **bounds))


SPEC_FILES = sorted(SPECS.glob("*.spec"))


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("tasks,cpus,depth", [(2, 1, 1), (1, 1, 3), (1, 2, 2), (2, 2, 1)])
def test_specs_against_the_literal_search(spec, tasks, cpus, depth):
    _agree(_system(spec, tasks=tasks, cpus=cpus, depth=depth), CONFIGS)


def _agree_where_decided(system: System, max_states: int) -> dict:
    """Every configuration that finishes gives the same verdicts, and one that stops at the state
    limit (switching a reduction off can cost a hundredfold) agrees on what it did decide."""
    results = {}
    for reductions in CONFIGS:
        result = check(system, limits=Limits(max_states=max_states), reductions=reductions)
        verdicts = {p.property: (p.verdict, p.length) for p in result.properties}
        results[reductions] = (result.stop in DECIDED, verdicts)
    complete = [verdicts for decided, verdicts in results.values() if decided]
    assert len(complete) >= 2 and all(v == complete[0] for v in complete)
    for decided, verdicts in results.values():
        for prop, (verdict, length) in verdicts.items():
            assert verdict is Verdict.UNKNOWN or (verdict, length) == complete[0][prop]
    return complete[0]


@pytest.mark.slow
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_specs_at_depth_three_with_and_without_each_reduction(spec):
    """(2,1,3), issue 2's bounds: the configurations are compared with each other and docs/kernel-facts.md."""
    expected = _agree_where_decided(_system(spec, tasks=2, cpus=1, depth=3), max_states=2_000_000)
    table = {p: n for p, n in KERNEL_FACTS_TABLE[spec.stem].items() if p != "no_overflow"}  # 8 entries deep
    assert {p.value: length for p, (verdict, length) in expected.items() if verdict is Verdict.VIOLATED} == table


@pytest.mark.parametrize("spec", sorted(CASES.glob("*.spec")), ids=lambda p: p.stem)
def test_hand_worked_cases(spec):
    strategy = load_strategy(spec)
    expected = _agree(System(strategy), CONFIGS)
    for expectation in strategy.expectations:
        verdict, length = expected[expectation.property]
        assert (verdict is Verdict.VIOLATED) == expectation.violated
        if expectation.length is not None:
            assert length == expectation.length


TWO_CPUS = """model two "syscall, IRQ and NMI, two tasks on two CPUs" {
    tasks 2
    kthreads 0
    cpus 2
    depth 2
    base user
    entry syscall { from user; writes; sleeps }
    entry irq     { from user, syscall; max 1; writes; atomic; preempt_on_exit }
    entry nmi     { from any; max 1; atomic }
}
"""
TWO_CPU_SPECS = {
    "thread_slot": "storage saved : task; on entry { saved = PKRS; PKRS = INIT }; on exit { PKRS = saved }",
    "pt_regs_switch": "storage regs : frame in pt_regs; storage th : task; on entry { regs = PKRS; PKRS = INIT }; "
                      "on exit { PKRS = regs }; on switch_out { th = PKRS }; on switch_in { PKRS = th }",
    "cpu_slot": "storage c : cpu; storage r : frame in pt_regs; on entry { r = c; c = PKRS; PKRS = INIT }; "
                "on exit { PKRS = c; c = r }; on switch_in { if PKRS != INIT { PKRS = INIT } }",
    "cpu_stack": "storage s : cpu stack 2; on entry { push s, PKRS; PKRS = INIT }; on exit { PKRS = pop s }",
}


def _two_cpu_strategy(name: str) -> ir.Strategy:
    model = analyze_model(parse(SourceFile("two.model", TWO_CPUS)))
    text = f"strategy {name} {{\n model two\n {TWO_CPU_SPECS[name]}\n}}\n"
    return analyze_strategy(parse(SourceFile(f"{name}.spec", text)), model)


@pytest.mark.parametrize("name", TWO_CPU_SPECS)
def test_two_cpus(name):
    """Excursions on one CPU interleave with the other CPU's events; summaries rely on them commuting.

    Each violation is compared with the literal search asked for that
    property alone (it stops at the counterexample); what holds is compared
    with the search without summaries, and with the literal one where it is
    small enough to finish.
    """
    system = System(_two_cpu_strategy(name))
    assert sound(system)
    expected = _agree(system, [Reductions(), Reductions.without(["summaries"])], literal=False)
    for prop, (verdict, length) in expected.items():
        if verdict is Verdict.VIOLATED:
            literal = check(system, properties=(prop,), reductions=LITERAL, limits=Limits(max_states=400_000))
            assert literal.stop is StopReason.ALL_VIOLATED and literal.properties[0].length == length
    if name == "pt_regs_switch":
        assert _verdicts(system, LITERAL) == expected


def test_global_storage_on_two_cpus_is_interleaved_plainly():
    strategy = load_strategy(CASES / "global_slot_two_cpus_lost.spec")
    system = System(strategy)
    assert strategy.bounds.cpus == 2 and not sound(system)
    assert _agree(system, CONFIGS)[ir.Property.NO_LOST] == (Verdict.VIOLATED, 5)


@pytest.mark.parametrize("spec", ["thread_struct", "idtentry_state", "pt_regs_switch"])
def test_symmetry_when_tasks_tie_too_often(spec, monkeypatch):
    """Past CANDIDATES orders of tied tasks, ties are broken by values: not canonical, still exact."""
    system = _system(SPECS / f"{spec}.spec", tasks=3, cpus=2, depth=1)
    expected = _verdicts(system, Reductions.without(["symmetry"]))
    monkeypatch.setattr(canonical, "CANDIDATES", 1)
    assert _verdicts(system, Reductions()) == expected


def test_reductions_shrink_the_search():
    system = _system(SPECS / "pt_regs_switch.spec", tasks=1, cpus=1, depth=6)
    literal = check(system, reductions=LITERAL).statistics.states
    reduced = {name: check(system, reductions=Reductions(**{n: n == name for n in NAMES})).statistics.states
               for name in NAMES}
    assert literal > 20_000
    assert reduced["dead"] < literal / 4 and reduced["summaries"] < literal / 20
    assert check(system).statistics.states < 200
    two = _system(SPECS / "pt_regs_switch.spec", tasks=2, cpus=1, depth=2)
    assert check(two, reductions=Reductions(False, True, False)).statistics.states < \
        check(two, reductions=LITERAL).statistics.states * 0.6


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_coverage_counts_the_events_inside_summaries(spec):
    system = _system(spec, tasks=1, cpus=1, depth=4)
    literal, reduced = check(system, reductions=LITERAL), check(system)
    assert literal.stop is reduced.stop is StopReason.COMPLETE
    assert _coverage(system, reduced) == _coverage(system, literal)
    assert reduced.statistics.summaries > 0 and reduced.statistics.summary_states > 0


def _coverage(system: System, result):
    """What the reports say was entered, exited, run and checked (the engine gives the raw events)."""
    strategy = system.strategy
    return coverage(strategy, result.taken, result.statistics.max_nesting, result.checked, strategy.properties,
                    result.nests_deeper)


def test_no_reduce_on_the_command_line():
    runs = {}
    for flag in ([], ["--no-reduce=all"], ["--no-reduce=summaries,dead"]):
        code, out, err = run_cli("check", str(SPECS / "pt_regs.spec"), "--depth", "2", "--format", "json", *flag)
        assert code == 1, err
        (result,) = json.loads(out)["results"]
        runs[tuple(flag)] = result
    verdicts = {flag: [(p["property"], p["verdict"], p.get("length")) for p in r["properties"]]
                for flag, r in runs.items()}
    assert len(set(map(tuple, verdicts.values()))) == 1
    assert runs[()]["statistics"]["states"] < runs[("--no-reduce=summaries,dead",)]["statistics"]["states"] \
        < runs[("--no-reduce=all",)]["statistics"]["states"]
    code, _, err = run_cli("check", str(SPECS / "pt_regs.spec"), "--no-reduce=summary")
    assert code == 2 and "unknown reduction 'summary'" in err


def test_no_reduce_names():
    assert Reductions.without(["all"]) == LITERAL
    assert Reductions.without(["symmetry", "dead"]) == Reductions(summaries=True, symmetry=False, dead=False)
    with pytest.raises(ValueError):
        Reductions.without(["summary"])


QUICK = 10_000  # the default run compares random specs whose literal search stays below this
THREE_CPUS = [Reductions(), Reductions.without(["por"]), Reductions.without(["summaries"]),
              Reductions(summaries=False, symmetry=False, dead=False, slices=False, por=True)]


def _agree_if_small(system: System, configs, max_states: int) -> None:
    literal = check(system, limits=Limits(max_states=max_states), reductions=LITERAL)
    if literal.stop in DECIDED:  # else too large to compare with the literal search quickly
        _agree(system, configs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.cases(max_tasks=2, max_cpus=2, max_depth=3))
def test_random_models_and_specs(case):
    _agree_if_small(System(strategies.load(case)), CONFIGS, QUICK)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.cases(max_tasks=2, max_cpus=2, max_depth=3, registers=True))
def test_random_specs_with_registers_windows_and_reads(case):
    """The reductions keep per-register ghosts, window phases and reads exact."""
    _agree_if_small(System(strategies.load(case)), CONFIGS, QUICK)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.cases(max_tasks=3, max_cpus=3, max_depth=2, max_kinds=2))
def test_random_specs_on_three_cpus(case):
    """One CPU expanded alone, and retired, with two others beside it (reduce/por.py)."""
    _agree_if_small(System(with_bounds(strategies.load(case), cpus=3)), THREE_CPUS, QUICK)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.cases(max_tasks=3, max_cpus=2, max_depth=3, registers=True))
def test_more_and_larger_random_specs(case):
    _agree_if_small(System(strategies.load(case)), CONFIGS, 50_000)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.cases(max_tasks=3, max_cpus=3, max_depth=2, max_kinds=2, registers=True))
def test_more_random_specs_on_three_cpus(case):
    _agree_if_small(System(with_bounds(strategies.load(case), cpus=3)), THREE_CPUS, 50_000)


def test_por_expands_fewer_steps_on_two_cpus():
    """Every spec at (2,2,3): the same verdicts in fewer transitions (a CPU whose steps are its own is
    expanded alone)."""
    for spec in SPEC_FILES:
        system = _system(spec, tasks=2, cpus=2, depth=3)
        on, off = check(system), check(system, reductions=Reductions.without(["por"]))
        assert on.statistics.transitions < off.statistics.transitions, spec.stem
        assert _coverage(system, on) == _coverage(system, off), spec.stem



@pytest.mark.parametrize("handlers,commute", [
    ("on entry { g.saved_pkrs = PKRS; PKRS = INIT }\n    on exit { PKRS = g.saved_pkrs }", False),
    ("on entry { if PKRS == INIT { PKRS = INIT } else { if g.saved_pkrs == PKRS { PKRS = INIT } } }", False),
    ("on switch_out { g.saved_pkrs = PKRS }\n    on switch_in { PKRS = g.saved_pkrs }", True),
])
def test_por_is_off_where_a_running_tasks_own_handler_names_global_storage(tmp_path, handlers, commute):
    # a global named anywhere in an entry, exit or write handler (in a nested condition too) is shared
    # between CPUs; in the switch handlers it is not one of a running task's own events (por.py)
    from pkrsverify.explicit.reduce.por import local_events_commute
    (tmp_path / "no_sleep.model").write_text((CASES / "no_sleep.model").read_text())
    system = _spec(tmp_path, "g", 'strategy g {\n    model "no_sleep.model"\n    storage g.saved_pkrs : global\n'
                   f"    {handlers}\n}}\n")
    assert local_events_commute(system) is commute

@pytest.mark.slow
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("tasks,cpus,depth", [(2, 1, 8), (2, 2, 3), (3, 1, 4), (3, 2, 2), (2, 3, 2)])
def test_specs_at_larger_bounds(spec, tasks, cpus, depth):
    _agree_where_decided(_system(spec, tasks=tasks, cpus=cpus, depth=depth), max_states=2_000_000)


# ---- slices: registers whose values never meet --------------------------------------------------

def _spec(tmp_path, name: str, text: str) -> System:
    path = tmp_path / f"{name}.spec"
    path.write_text(text)
    return System(with_bounds(load_strategy(path), tasks=1, depth=3))


INDEPENDENT = """strategy independent {
    model x86_64
    register PKRS
    register DR7 { supervisor; fresh in any }
    storage regs.pkrs : frame in pt_regs
    storage thread.dr7 : task
    on entry { regs.pkrs = PKRS; PKRS = INIT; DR7 = INIT }
    on exit  { PKRS = regs.pkrs }
    on write(DR7) { thread.dr7 = DR7 }
    on switch_in { DR7 = thread.dr7 }
}
"""


def test_independent_registers_are_sliced_and_judged_as_the_whole(tmp_path):
    """PKRS is saved in pt_regs; DR7 is reset on entry and never restored (lost, 4 events) and kept per
    task: two slices, each verdict and length as the literal search of the whole system finds them."""
    from pkrsverify.explicit.reduce.slices import slices
    system = _spec(tmp_path, "independent", INDEPENDENT)
    parts = slices(system.strategy, system.strategy.properties)
    assert [[r.name for r in p.strategy.registers] for p in parts] == [["PKRS"], ["DR7"]]
    assert [s.name for s in parts[1].strategy.storages] == ["thread.dr7"]
    expected = _agree(system, CONFIGS)
    assert expected[ir.Property("no_lost[DR7]")][0] is Verdict.VIOLATED
    assert expected[ir.Property("no_lost")][0] is Verdict.HOLDS


def test_a_slice_keeps_an_if_that_reads_nothing_but_writes_it(tmp_path):
    """`if INIT == INIT { DR7 = INIT }` reads no slice, yet DR7's slice must run it: the slice once left
    it out, and its counterexample did not replay on the whole system (found by the random proofs of
    tests/test_parameterized.py)."""
    from pkrsverify.explicit.reduce.slices import slices
    text = INDEPENDENT.replace("DR7 = INIT }", "if INIT == INIT { DR7 = INIT } }")
    system = _spec(tmp_path, "condition_on_init", text)
    parts = slices(system.strategy, system.strategy.properties)
    assert parts is not None and len(parts) == 2
    expected = _agree(system, CONFIGS)
    assert expected[ir.Property("no_lost[DR7]")][0] is Verdict.VIOLATED


def test_a_slice_leaves_out_an_if_that_changes_nothing_inside_another_slices_if(tmp_path):
    """`if PKRS == INIT { if DR7 == DR7 { } }`: the inner `if` compares DR7's values and runs nothing,
    the outer one belongs to PKRS's slice. DR7's slice once kept the inner one, and with it the outer
    one and its condition on a register the slice does not have (a KeyError, found by
    test_agreement's random BMC specs)."""
    from pkrsverify.explicit.reduce.slices import slices
    text = INDEPENDENT.replace("    on exit  { PKRS = regs.pkrs }",
                               "    on exit  { PKRS = regs.pkrs; if PKRS == INIT { if DR7 == DR7 { } } }")
    system = _spec(tmp_path, "nested_condition", text)
    parts = slices(system.strategy, system.strategy.properties)
    assert parts is not None and [[r.name for r in p.strategy.registers] for p in parts] == [["PKRS"], ["DR7"]]
    expected = _agree(system, CONFIGS)
    assert expected[ir.Property("no_lost[DR7]")][0] is Verdict.VIOLATED


@pytest.mark.parametrize("old,new", [
    # a value of PKRS's slice reaches DR7
    ("    on exit  { PKRS = regs.pkrs }", "    on exit  { PKRS = regs.pkrs; DR7 = regs.pkrs }"),
    # a write of PKRS runs the general `on write`, which touches DR7's slice
    ("    on write(DR7) { thread.dr7 = DR7 }", "    on write { thread.dr7 = DR7 }"),
    # what DR7's slice does depends on a condition about PKRS
    ("    on switch_in { DR7 = thread.dr7 }", "    on switch_in { if PKRS == INIT { DR7 = thread.dr7 } }"),
])
def test_registers_whose_values_meet_are_searched_whole(tmp_path, old, new):
    from pkrsverify.explicit.reduce.slices import slices
    assert old in INDEPENDENT
    system = _spec(tmp_path, "coupled", INDEPENDENT.replace(old, new))
    assert slices(system.strategy, system.strategy.properties) is None
    _agree(system, CONFIGS)
