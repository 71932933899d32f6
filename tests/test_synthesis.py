"""Sketches and `synthesize`: holes filled by text, completions judged, the front and the families.

Ground truth: the completions of small sketches worked by hand; every
completion checked on its own by a complete explicit search with no pruning
(the verdicts synthesis reaches through replayed counterexamples must be the
same); the seed specs the default sketch must rediscover; random specs with
holes cut into them, through hypothesis.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies
from conftest import run_cli
from pkrsverify.analyses.candidates import Correct, Invalid, Refuted
from pkrsverify.analyses.mutations import normal_form
from pkrsverify.analyses.synthesis import dominates, objectives, synthesize
from pkrsverify.explicit.engine import check
from pkrsverify.explicit.search import Limits
from pkrsverify.front import edits
from pkrsverify.front.diagnostics import InputError
from pkrsverify.front.holes import completions, tidy
from pkrsverify.front.loader import load_strategy, read_source, strategy_of, with_bounds
from pkrsverify.front.parser import parse
from pkrsverify.front.source import SourceFile
from pkrsverify.result import Verdict
from pkrsverify.semantics.system import System

ROOT = Path(__file__).resolve().parent.parent
SKETCH = ROOT / "examples" / "pkrs.sketch"

NESTED = """strategy nested {
    model x86_64
    choose save {
        task { storage saved : task }
        frame { storage saved : frame in pt_regs }
    }
    on entry {
        choose save {
            task { saved = PKRS }
            frame { choose how { plain { saved = PKRS } twice { saved = PKRS; saved = PKRS } } }
        }
        PKRS = INIT
    }
    on exit { PKRS = saved }
}
"""


def _source(text: str, tmp_path: Path, name: str = "x.sketch") -> SourceFile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_source(path)


def _normal(text: str) -> str:
    return " ".join(tidy(text).split())


# ---- holes -----------------------------------------------------------------------------------------

def test_completions_of_a_nested_sketch_worked_by_hand(tmp_path):
    filled = list(completions(_source(NESTED, tmp_path)))
    # save=task meets no `how`; save=frame meets it twice over: 3 completions, not 2 x 2
    assert [c.choices for c in filled] == [(("save", "task"),), (("save", "frame"), ("how", "plain")),
                                           (("save", "frame"), ("how", "twice"))]
    texts = [_normal(c.text.text) for c in filled]
    assert "storage saved : task on entry { saved = PKRS PKRS = INIT }" in texts[0]
    assert "storage saved : frame in pt_regs on entry { saved = PKRS PKRS = INIT }" in texts[1]
    assert "on entry { saved = PKRS; saved = PKRS PKRS = INIT }" in texts[2]
    for c in filled:
        strategy_of(c.text)  # each is a valid spec


def test_a_completion_keeps_every_line_and_column_of_the_sketch(tmp_path):
    source = _source(NESTED, tmp_path)
    for completion in completions(source):
        assert len(completion.text.text) == len(source.text)
        assert [i for i, ch in enumerate(completion.text.text) if ch == "\n"] == \
               [i for i, ch in enumerate(source.text) if ch == "\n"]
        tree = parse(completion.text)
        for statement in edits.statements(tree.handlers[0].body):  # what is kept is where the sketch has it
            assert source.text[statement.span.start:statement.span.end] == statement.span.text


def test_check_refuses_a_sketch(tmp_path):
    (tmp_path / "x.sketch").write_text(NESTED)
    code, out, err = run_cli("check", str(tmp_path / "x.sketch"))
    assert code == 2 and "error[E125]" in err and "synthesize" in err and "Traceback" not in err


@pytest.mark.parametrize("body, message", [
    ("choose a { x { PKRS = INIT } y {} }; choose a { x {} }", "lacks y"),
    ("choose a { x { PKRS = INIT } x {} }", "label `x` twice"),
    ("choose a { }", "offers nothing"),
])
def test_malformed_holes_are_e126(tmp_path, body, message):
    text = f"strategy s {{\n    model x86_64\n    on entry {{ {body} }}\n}}\n"
    with pytest.raises(InputError) as error:
        list(completions(_source(text, tmp_path)))
    assert error.value.diagnostics[0].code.id == "E126" and message in error.value.diagnostics[0].message
    code, _, err = run_cli("synthesize", str(tmp_path / "x.sketch"))
    assert code == 2 and "error[E126]" in err and "Traceback" not in err


def test_a_sketch_with_no_valid_completion_is_an_input_error(tmp_path):
    text = "strategy s {\n    model x86_64\n    on entry { choose a { x { nowhere = PKRS } y { PKRS = elsewhere } } }\n}\n"
    (tmp_path / "x.sketch").write_text(text)
    code, _, err = run_cli("synthesize", str(tmp_path / "x.sketch"))
    assert code == 2 and "error[E125]" in err and "no completion is a valid spec" in err


# ---- synthesis against each completion checked alone -------------------------------------------------

def _ground_truth(completion, limits=Limits(max_states=300_000)):
    """'invalid', 'correct', 'violated' or 'unknown', from a complete search of the completion alone."""
    try:
        strategy = strategy_of(completion.text)
    except InputError:
        return "invalid", None
    result = check(System(strategy), limits=limits)
    if result.violated:
        return "violated", result
    return ("unknown" if result.unknown else "correct"), result


def _agrees_with_ground_truth(run):
    for candidate in run.candidates:
        truth, result = _ground_truth(candidate.completion)
        if truth == "unknown":
            continue
        verdict = candidate.verdict
        assert {"invalid": Invalid, "correct": Correct, "violated": Refuted}[truth] is type(verdict), \
            (candidate.completion.says(), truth, verdict)
        if isinstance(verdict, Refuted):  # the refuting property is violated, and no sooner than shortest
            found = result.result_for(verdict.property)
            assert found.verdict is Verdict.VIOLATED and found.length <= verdict.length
            if not verdict.replayed:
                assert verdict.length == min(p.length for p in result.properties if p.verdict is Verdict.VIOLATED)
    correct = [i for i, c in enumerate(run.candidates) if c.correct]
    texts = [normal_form(c.completion.text.text) for c in run.candidates]
    firsts = [i for i in correct if texts.index(texts[i]) == i]  # the front keeps one of equal texts
    front = {i for i, _ in run.front}
    assert front <= set(firsts)
    for i in firsts:  # on the front exactly when no correct completion dominates it
        mine = objectives(run.candidates[i].figures)
        beaten = any(dominates(objectives(run.candidates[j].figures), mine) for j in correct)
        assert (i in front) == (not beaten)


@pytest.mark.slow  # 18-29 s; the random sketches and the CLI test cover synthesis in the default run
def test_the_default_sketch():
    run = synthesize(read_source(SKETCH))
    assert len(run.candidates) == 144 and run.invalid == 0 and run.undecided == 0
    assert run.pruned + run.searched == run.distinct  # every distinct completion was judged once
    assert run.pruned > run.searched  # CEGIS: most are ruled out by a replayed counterexample
    front = {dict(run.candidates[i].completion.choices)["save"] + "/" + dict(run.candidates[i].completion.choices)
             ["cache"] for i, _ in run.front}
    # real_pt_regs with the switch handlers; tglx's 2020-07-24 design (idtentry state, per-CPU cache)
    assert {"beside/none", "idtentry_state/per_cpu"} <= front
    for i, proof in run.front:  # both engines
        assert proof.proved and proof.disagreement is None
        assert dict(run.candidates[i].completion.choices)["switch"] == "save_and_load"
    families = {(f.hole, f.label): f for f in run.families}
    # no design that keeps the value only in a per-task slot is correct at depth 8
    task = families[("save", "task")]
    assert task.members == 16 and task.shortest.property.value == "no_lost"
    assert ("save", "stack7") in families and families[("save", "stack7")].shortest.property.value == "no_overflow"
    assert ("save", "stack8") not in families and ("save", "beside") not in families


@pytest.mark.slow
def test_the_default_sketch_against_every_completion_alone(tmp_path):
    run = synthesize(read_source(SKETCH), prove=False)
    _agrees_with_ground_truth(run)
    for i, _ in run.front:  # each design on the front holds past the sketch's bounds too
        spec = tmp_path / f"front{i}.spec"
        spec.write_text(tidy(run.candidates[i].completion.text.text))
        for tasks, cpus in ((3, 1), (2, 2)):
            wider = with_bounds(load_strategy(spec), tasks=tasks, cpus=cpus)
            assert not check(System(wider), limits=Limits(max_states=2_000_000)).violated


def test_the_doc_sketch_against_every_completion_alone(tmp_path):
    run = synthesize(read_source(_doc_sketch(tmp_path)), prove=False)
    _agrees_with_ground_truth(run)
    assert [dict(run.candidates[i].completion.choices) for i, _ in run.front] == [{"save": "frame"}]
    assert {(f.hole, f.label) for f in run.families} == {("save", "none"), ("save", "task"), ("save", "cpu")}


# ---- random specs with holes cut into them -------------------------------------------------------------

@st.composite
def sketches(draw):
    """A random spec with some of its statements made holes (`keep` or `drop`), two of them sometimes
    under one name, and sometimes one storage's place a hole between two places."""
    case = draw(strategies.cases(max_tasks=2, max_cpus=2, max_depth=2, registers=True))
    tree = parse(SourceFile("random.spec", case.spec))
    found = [s for h in tree.handlers for s in h.body]
    chosen = draw(st.lists(st.sampled_from(found), min_size=1, max_size=3, unique_by=lambda s: s.span.start)) \
        if found else []
    work, names = [], []
    for number, statement in enumerate(chosen):
        name = f"h{number}" if number == 0 or not draw(st.booleans()) else names[0]
        names.append(name)
        work.append(edits.replace(statement.span, f"choose {name} {{ keep {{ {statement.span.text} }} drop {{}} }}"))
    if tree.storages and draw(st.booleans()):
        decl = draw(st.sampled_from(tree.storages))
        other = draw(st.sampled_from(["task", "cpu", "global", "frame in pt_regs", "frame local"]))
        work.append(edits.replace(decl.span, f"choose where {{ as_written {{ {decl.span.text} }} "
                                             f"moved {{ storage {decl.name.text} : {other} }} }}"))
    return strategies.Case(case.model, edits.apply(SourceFile("random.spec", case.spec), work).text)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sketches())
def test_random_sketches_against_every_completion_alone(case):
    with strategies.written(strategies.Case(case.model, _first_completion(case.spec))) as spec:
        if spec is None:  # too large to check every completion quickly
            return
        sketch = spec.with_name("random.sketch")
        sketch.write_text(case.spec)
        run = synthesize(read_source(sketch), prove=False, limits=Limits(max_states=300_000))
        _agrees_with_ground_truth(run)


def _first_completion(text: str) -> str:
    return next(completions(SourceFile("random.spec", text))).text.text


# ---- the command ---------------------------------------------------------------------------------

def _doc_sketch(tmp_path: Path) -> Path:
    path = tmp_path / "doc.sketch"
    path.write_text((ROOT / "docs" / "language.md").read_text().split("```sketch\n")[1].split("```")[0])
    return path


def test_cli_text_json_and_front_files(tmp_path):
    sketch = _doc_sketch(tmp_path)
    code, out, err = run_cli("synthesize", str(sketch), "--no-proof", "--no-timings", "--write-front", str(tmp_path))
    assert code == 0, err
    assert "4 completions" in out and "ruled out by replaying a known counterexample" in out
    assert "save=task: its one completion is not correct" in out and "z3: not asked" in out
    written = sorted(tmp_path.glob("doc.*.spec"))
    assert len(written) == 1 and run_cli("check", str(written[0]))[0] == 0
    code, out, _ = run_cli("synthesize", str(sketch), "--no-timings", "--format", "json")
    document = json.loads(out)["synthesis"][0]
    assert code == 0 and document["completions"] == 4 and document["correct"] == len(document["front"]) == 1
    assert document["front"][0]["choices"] == {"save": "frame"} and document["front"][0]["z3"] == "proved"
    task = next(f for f in document["families"] if f["label"] == "task")
    assert task["hole"] == "save" and task["counterexample"]["property"] == "no_lost"
    assert task["counterexample"]["length"] == 6 and "seconds" not in document
    # the command line's bounds judge every completion; a bound the model cannot take is an input error
    code, out, _ = run_cli("synthesize", str(sketch), "--no-proof", "--no-timings", "--cpus", "2")
    assert code == 0 and "cpus=2" in out and "1 correct" in out
    code, _, err = run_cli("synthesize", str(sketch), "--no-proof", "--tasks", "0")
    assert code == 2 and "error[E120]" in err and "Traceback" not in err
    # a completion whose search hits --max-states is undecided: exit 3, never "none is correct"
    code, out, _ = run_cli("synthesize", str(sketch), "--no-proof", "--max-states", "50")
    assert code == 3 and "undecided" in out and "no completion is correct within the limits" in out


@pytest.mark.slow
def test_cli_on_the_default_sketch(tmp_path):
    code, out, err = run_cli("synthesize", str(SKETCH), "--no-proof", "--no-timings", "--write-front", str(tmp_path))
    assert code == 0, err
    assert "144 completions" in out and "save=task: none of its 16 completions is correct" in out
    written = sorted(tmp_path.glob("pkrs.*.spec"))
    assert len(written) == 6 and all(run_cli("check", str(p))[0] == 0 for p in written)


def test_cli_exit_1_when_no_completion_is_correct(tmp_path):
    text = ("strategy s {\n    model x86_64\n    choose save { task { storage saved : task } cpu { storage saved : cpu } }"
            "\n    on entry { saved = PKRS; PKRS = INIT }\n    on exit { PKRS = saved }\n}\n")
    (tmp_path / "x.sketch").write_text(text)
    code, out, err = run_cli("synthesize", str(tmp_path / "x.sketch"), "--no-proof")
    assert code == 1, err
    assert "no completion is correct" in out and "save=task" in out and "save=cpu" in out
