"""SPIN cross-check: the Promela export, run by SPIN, agrees with pkrsverify.

For every spec in specs/ and every hand-worked case, at small bounds, SPIN
(spin -a, gcc, pan -c0 in breadth-first mode) must give every property the
verdict our explicit engine gives, with the same shortest counterexample
length, and must store exactly the states of the unreduced system (the
canonical states of system.py, counted here by a plain BFS over
`System.successors`) plus its own two: the one before boot() and, when a
push or pop can be fatal, the halted one. At the default bounds SPIN must
find each violation of docs/kernel-facts.md's table at the table's length.

The tests need `spin` and `gcc` (Debian: apt-get install spin gcc; .ci/run
installs both); without them they skip and say so. pan is compiled with -O0
here: a model of this size compiles in a quarter of the time and the search
is the same.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, example, given, settings

import strategies
from test_agreement import FATAL_AFTER_READ

from conftest import CASES, SPECS, UNMASKED_MODEL, on_model, run_cli
from pkrsverify.front import ir
from pkrsverify.explicit.engine import Limits, check
from pkrsverify.explicit.reduce import Reductions
from pkrsverify.export import ExportError, promela
from pkrsverify.export.names import flag
from pkrsverify.export.spin import EXTRA_STATES, missing_tools, parse_pan, run_spin
from pkrsverify.semantics.layout import canonical
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.result import StopReason, Verdict
from pkrsverify.semantics.system import System

MISSING = missing_tools()
needs_spin = pytest.mark.skipif(MISSING is not None, reason=f"SPIN cross-check skipped: {MISSING}")
TEST_CFLAGS = ("-O0", "-DSAFETY", "-DBFS", "-DCOLLAPSE")
SPEC_FILES = sorted(SPECS.glob("*.spec"))
CASE_FILES = sorted(CASES.glob("*.spec"))
TABLE = {  # docs/kernel-facts.md, last table: the violations at the default bounds and their lengths
    "thread_struct": {"no_lost": 6, "no_stale": 5},
    "stack7": {"no_overflow": 8, "no_stale": 5},
    "stack15": {"no_stale": 5},
    "idtentry_state": {"fresh": 3, "no_lost": 4, "no_stale": 5},
    "pt_regs": {"no_stale": 5},
}


def unreduced_states(system: System, limit: int = 2_000_000) -> tuple[int, bool]:
    """(canonical states of the literal semantics, whether some step is a fatal push/pop)."""
    start = system.layout.values_start
    initial = canonical(system.initial(), start)
    seen, frontier, fatal = {initial}, [initial], False
    while frontier:
        upcoming = []
        for state in frontier:
            for step in system.successors(state, 1 << 30):
                if step.state is None:
                    fatal = True
                    continue
                successor = canonical(step.state, start)
                if successor not in seen:
                    seen.add(successor)
                    upcoming.append(successor)
        assert len(seen) <= limit, "too many states for a cross-check"
        frontier = upcoming
    return len(seen), fatal


def cross_check(strategy: ir.Strategy, directory, count_states: bool = True) -> None:
    system = System(strategy)
    ours = check(system, limits=Limits(max_states=2_000_000))
    assert ours.stop in (StopReason.COMPLETE, StopReason.ALL_VIOLATED), ours.stop
    run = run_spin(promela(strategy), directory, name=strategy.name, cflags=TEST_CFLAGS, pan_args=("-c0", "-w20"))
    pan = run.pan
    assert pan.complete, pan.problems
    for result in ours.properties:
        name, asserted = result.property.value, flag(result.property)  # no_lost[CR2] is asserted as no_lost_CR2
        theirs = (pan.verdict(asserted), pan.violations.get(asserted))
        mine = (result.verdict.value, result.length)
        assert theirs == mine, f"{name}: pkrsverify {mine}, SPIN {theirs}"
    if count_states:
        states, fatal = unreduced_states(system)
        assert pan.states == states + EXTRA_STATES + fatal, f"SPIN stored {pan.states}, the system has {states}"


@needs_spin
@pytest.mark.parametrize("bounds", [(1, 1, 3), (2, 1, 1)], ids=["1task-depth3", "2tasks-depth1"])
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_every_spec_agrees_with_spin(spec, bounds, tmp_path):
    tasks, cpus, depth = bounds
    cross_check(with_bounds(load_strategy(spec), tasks=tasks, cpus=cpus, depth=depth), tmp_path)


# One case for each feature the export must get right; the others run with -m slow.
QUICK_CASES = {"cpu_stack_two_sleepers_overflow", "unbalanced_push_underflows", "global_slot_two_cpus_lost",
               "kthread_first_run_needs_init", "preempt_not_checked_at_resume", "write_reloads_stale_clobbers",
               "write_avoidance_holds", "idtentry_state_irq_only", "cpu_slot_switch_migration_lost"}


def _marked(items, quick, ids):
    return [pytest.param(*([item] if not isinstance(item, tuple) else item), id=ids(item),
                         marks=() if ids(item) in quick else pytest.mark.slow) for item in items]


@needs_spin
@pytest.mark.parametrize("case", _marked(CASE_FILES, QUICK_CASES, lambda p: p.stem))
def test_every_hand_worked_case_agrees_with_spin(case, tmp_path):
    cross_check(load_strategy(case), tmp_path)


@needs_spin
@pytest.mark.parametrize("name,prop", _marked([(n, p) for n, v in TABLE.items() for p in v],
                                              {"stack7-no_overflow", "thread_struct-no_lost"}, "-".join))
def test_spin_finds_the_tables_shortest_violations_at_the_default_bounds(name, prop, tmp_path):
    """One property asserted, pan stops at its first violation (-c1): under BFS, a shortest one."""
    strategy = load_strategy(SPECS / f"{name}.spec")
    assert strategy.bounds == ir.Bounds(tasks=2, kthreads=0, cpus=1, depth=8)
    run = run_spin(promela(strategy, properties=(ir.Property(prop),)), tmp_path, name=name,
                   cflags=TEST_CFLAGS, pan_args=("-c1", "-w22"))
    assert run.pan.violations == {prop: TABLE[name][prop]}


# The export once ran a handler split at a window whole at each of its parts: the push ran at entry and
# again after the window, overflowing at 2 events instead of 5 (found by CI's hypothesis run).
PUSH_AFTER_WINDOW = strategies.Case(
    model='model random {\n    tasks 1\n    kthreads 0\n    cpus 1\n    depth 1\n    base user\n'
          '    entry syscall { from any }\n    entry irq { from any }\n    register R1\n    register R2\n}\n',
    spec='strategy random {\n    model "random.model"\n    register PKRS\n    register R3 {  }\n'
         '    storage s0.stack : task stack 1\n'
         '    on entry(syscall) { PKRS = PKRS; window; PKRS = PKRS; push s0.stack, PKRS }\n}\n')


def _random_agrees_with_spin(case, directory) -> None:
    strategy = strategies.load(case)
    # SPIN stores the unreduced states (and cross_check counts them): cases whose literal search is large
    # (several registers multiply it) are left to the reduced engines' cross-checks
    literal = check(System(strategy), limits=Limits(max_states=20_000), reductions=Reductions.none())
    assume(literal.stop in (StopReason.COMPLETE, StopReason.ALL_VIOLATED))
    cross_check(strategy, directory)


@needs_spin
@settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(case=strategies.cases(max_tasks=1, max_cpus=1, max_depth=2, max_kinds=2, max_storages=2, registers=True))
@example(case=FATAL_AFTER_READ)
@example(case=PUSH_AFTER_WINDOW)
def test_random_specs_with_registers_windows_and_reads_agree_with_spin(case, tmp_path_factory):
    _random_agrees_with_spin(case, tmp_path_factory.mktemp("spin"))


@needs_spin
@pytest.mark.slow
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(case=strategies.cases(max_tasks=2, max_cpus=2, max_depth=3, registers=True))
def test_more_random_specs_with_registers_agree_with_spin(case, tmp_path_factory):
    _random_agrees_with_spin(case, tmp_path_factory.mktemp("spin"))


@needs_spin
def test_names_that_collide_with_promela_and_the_export_are_renamed(tmp_path):
    """Kinds `init`/`idle`, storage `do`, `pkrs`, `top`, `c`, `fresh.t`: keywords and the export's own names."""
    (tmp_path / "odd.model").write_text("""
model odd "kind names that collide with the export's own" {
    tasks 1; kthreads 1; cpus 1; depth 2
    base user
    base kthread { writes; sleeps }
    entry init { from user, kthread; writes; sleeps; preempt_on_exit }
    entry idle { from init, kthread; max 1; writes; atomic }
}
""")
    (tmp_path / "odd.spec").write_text("""
strategy odd "storage names that collide with Promela and with the export's own" {
    model "odd.model"
    storage do : task
    storage pkrs : cpu
    storage top : frame in pt_regs
    storage fresh.t : global
    storage c : cpu stack 1
    on entry(init) { top = PKRS; push c, PKRS; PKRS = INIT }
    on entry(idle) { top = PKRS; if PKRS != fresh.t { fresh.t = PKRS } else { pkrs = PKRS } }
    on exit(init) { PKRS = pop c; PKRS = top }
    on exit(idle) { PKRS = pop c; PKRS = top }
    on switch_out { do = PKRS }
    on switch_in { PKRS = do }
    on write { pkrs = PKRS }
}
""")
    strategy = load_strategy(tmp_path / "odd.spec")
    result = check(System(strategy))
    assert {p.property.value for p in result.properties if p.verdict is Verdict.VIOLATED} \
        >= {"fresh", "no_overflow", "no_underflow"}  # so that fatal steps and the halted state are exercised
    cross_check(strategy, tmp_path / "spin")


@needs_spin
@pytest.mark.slow
@pytest.mark.parametrize("bounds", [(2, 1, 2), (1, 1, 5), (2, 2, 1)], ids=["2tasks-depth2", "1task-depth5",
                                                                          "2tasks-2cpus-depth1"])
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_every_spec_agrees_with_spin_at_larger_bounds(spec, bounds, tmp_path):
    tasks, cpus, depth = bounds
    cross_check(with_bounds(load_strategy(spec), tasks=tasks, cpus=cpus, depth=depth), tmp_path)


@needs_spin
@pytest.mark.slow
def test_spin_stores_the_reference_state_counts(tmp_path):
    """issue 2's reference runs: 144,625 states at (1,1,8), 302,740 for two tasks at depth 3 (on the model
    as it was then, before `masks`)."""
    spec = on_model(SPECS / "pt_regs_switch.spec", UNMASKED_MODEL, tmp_path)
    for (tasks, depth), states in {(1, 8): 144_625, (2, 3): 302_740}.items():
        strategy = with_bounds(load_strategy(spec), tasks=tasks, depth=depth)
        run = run_spin(promela(strategy), tmp_path / f"{tasks}-{depth}", name="pt_regs_switch", cflags=TEST_CFLAGS)
        assert run.pan.complete and run.pan.violations == {}
        assert run.pan.states == states + EXTRA_STATES


# ---- no SPIN needed ---------------------------------------------------------------------------------

PAN_OUTPUT = """\
pan:1: assertion violated fresh (at depth 3)
pan:2: assertion violated no_lost (at depth 4)
pan:3: assertion violated fresh (at depth 4)

(Spin Version 6.5.2 -- 6 December 2019)
State-vector 68 byte, depth reached 24, errors: 7
   302741 states, stored
   848813 transitions (= stored+matched)
  128.391	total actual memory usage
pan: elapsed time 0.52 seconds
"""


def test_pan_output_is_read_first_violation_first():
    pan = parse_pan(PAN_OUTPUT)
    assert pan.violations == {"fresh": 3, "no_lost": 4}
    assert (pan.states, pan.transitions, pan.depth, pan.complete) == (302_741, 848_813, 24, True)
    assert pan.verdict("no_stale") == "holds" and pan.verdict("fresh") == "violated"
    assert pan.memory_mb == 128.391 and pan.seconds == 0.52


def test_an_unfinished_pan_decides_nothing_but_its_violations():
    pan = parse_pan(PAN_OUTPUT.replace("pan: elapsed", "error: max search depth too small\npan: elapsed"))
    assert not pan.complete and pan.verdict("no_stale") == "unknown" and pan.verdict("fresh") == "violated"
    assert not parse_pan("pan:1: assertion violated fresh (at depth 3)\n(killed: time limit)\n").complete


def test_export_command_writes_the_model_and_says_how_to_run_it(tmp_path):
    out = tmp_path / "stack7.pml"
    code, stdout, err = run_cli("export", "--promela", str(SPECS / "stack7.spec"), "--tasks", "1", "--depth", "2",
                                "--property", "no_overflow", "-o", str(out))
    assert code == 0, err
    text = out.read_text()
    assert "assert(no_overflow)" in text and "assert(no_lost)" not in text
    assert "#define NTASKS     1" in text and "#define DEPTH      2" in text
    assert "spin -a stack7.pml" in stdout and "./pan" in stdout


def test_export_command_writes_to_stdout_and_rejects_bounds_it_cannot_write():
    code, stdout, _ = run_cli("export", "--promela", str(SPECS / "pt_regs_switch.spec"), "--depth", "1")
    assert code == 0 and stdout.startswith("/*") and "active proctype kernel()" in stdout
    code, _, err = run_cli("export", "--promela", str(SPECS / "pt_regs_switch.spec"), "--tasks", "16",
                           "--depth", "64")
    assert code == 2 and "E120" in err and "value slots" in err
    with pytest.raises(ExportError):
        promela(with_bounds(load_strategy(SPECS / "pt_regs_switch.spec"), tasks=16, depth=64))
