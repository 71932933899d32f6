"""Every report format, from the command line: goldens, schemas, the 72-column
limit, the Mermaid and DOT output, `compare` and `test`.

Goldens live in tests/goldens/ and change only with `pytest --update-goldens`.
Before comparing, the counts of states, transitions and BFS levels are
masked (`N`): they belong to the engine's reductions, which other work
changes, not to the report; verdicts, traces, culprits and coverage are
compared as they are.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, compare_golden, run_cli

GOLDENS = Path(__file__).resolve().parent / "goldens"
SARIF_SCHEMA = json.loads((Path(__file__).resolve().parent / "sarif-schema-2.1.0.json").read_text())
RESULT_SCHEMA = json.loads(files("pkrsverify").joinpath("report", "result.schema.json").read_text())
# Small hand-worked cases (tests/cases/): the nested-NMI overwrite (no_lost in 6 events), the
# idtentry state that NMI lacks (fresh 3, no_lost 4, no_stale 5), and a design that holds.
CHECKED = ("tests/cases/thread_slot_nested_lost.spec", "tests/cases/idtentry_state_irq_only.spec",
           "tests/cases/pt_regs_switch_holds.spec", "--no-timings")
SEVEN = tuple(f"specs/{n}.spec" for n in ("thread_struct", "stack7", "stack15", "idtentry_state", "pt_regs",
                                           "pt_regs_switch", "real_pt_regs"))
COUNTS = re.compile(r"\d[\d,]*(?=(?:\s+reachable)?\s+states\b|\s+transitions\b|\s+BFS\s+levels\b)")
JSON_COUNTS = re.compile(r'"(states|transitions|levels)": \d+')


PICTURE = re.compile(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+")


def mask(text: str) -> str:
    """Counts as N; a picture as its place only (its structure has a golden of its own: test_pictures.py)."""
    text = COUNTS.sub("N", text)
    text = PICTURE.sub("data:image/svg+xml;base64,...", text)
    return JSON_COUNTS.sub(lambda m: f'"{m.group(1)}": 0', text)


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch):
    """Relative spec paths, so that reports (and goldens) name `specs/...` on every machine."""
    monkeypatch.chdir(ROOT)


def assert_mailable(text: str) -> None:
    assert "\x1b" not in text, "no escape codes in plain text"
    long = [line for line in text.splitlines() if len(line) > 72]
    assert not long, f"{len(long)} lines over 72 columns, e.g. {long[0]!r}"


# ---- check, in every format -----------------------------------------------------------------

@pytest.mark.parametrize("fmt,suffix", [("text", "txt"), ("markdown", "md"), ("json", "json"),
                                        ("sarif", "sarif"), ("junit", "xml")])
def test_check_report_golden(fmt, suffix, update_goldens):
    code, out, err = run_cli("check", *CHECKED, "--format", fmt)
    assert code == 1, err
    compare_golden(GOLDENS / f"check.{suffix}", mask(out), update_goldens)


def test_text_is_plain_and_fits_in_72_columns_when_piped():
    code, out, _ = run_cli("check", *CHECKED)
    assert code == 1
    assert_mailable(out)
    assert "no_lost: VIOLATED in 6 events" in out and out.count("culprit: ") == 4


def test_json_follows_its_schema_and_carries_culprit_coverage_and_review():
    code, out, _ = run_cli("check", *CHECKED, "--format", "json")
    document = json.loads(out)
    jsonschema.validate(document, RESULT_SCHEMA)
    thread_slot, idtentry, pt_regs_switch = document["results"]
    lost = next(p for p in thread_slot["properties"] if p["property"] == "no_lost")
    assert lost["length"] == 6 and "overwrote it" in lost["culprit"]
    assert lost["blame"][0]["role"] == "overwrote" and lost["blame"][0]["location"]["line"] == 31
    assert [p["verdict"] for p in idtentry["properties"]] == ["violated"] * 3 + ["holds"] * 3
    assert all("seconds" not in r["statistics"] for r in document["results"])  # --no-timings
    assert pt_regs_switch["coverage"]["handlers_run"] == ["on entry", "on exit", "on switch_out", "on switch_in"]
    assert pt_regs_switch["review"]["pt_regs_layout_changes"] is True
    assert thread_slot["review"]["bytes"]["per_task"] == 4


def test_sarif_is_valid_2_1_0_and_points_at_the_culprit():
    code, out, _ = run_cli("check", *CHECKED, "--format", "sarif")
    log = json.loads(out)
    jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(log)
    (run,) = log["runs"]
    # a result per violated property (1 + 3), none for what holds
    assert [(r["ruleId"], r["kind"]) for r in run["results"]] == [
        ("no_lost", "fail"), ("fresh", "fail"), ("no_lost", "fail"), ("no_stale", "fail"), ("coverage", "fail")]
    # the coverage warning: idtentry_state_irq_only holds some properties at depth 2, where its model
    # would nest deeper
    assert "nests deeper than depth 2" in run["results"][4]["message"]["text"]
    lost = run["results"][0]
    region = lost["locations"][0]["physicalLocation"]["region"]
    assert lost["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == CHECKED[0]
    assert region["startLine"] == 31 and region["snippet"]["text"] == "thread.saved_pkrs = PKRS"
    (flow,) = lost["codeFlows"][0]["threadFlows"]
    assert [s["nestingLevel"] for s in flow["locations"]][-4:] == [2, 3, 2, 1]  # ... nmi in irq in syscall
    assert [s["executionOrder"] for s in flow["locations"]] == [1, 2, 3, 4, 5, 6]
    assert flow["locations"][3]["location"]["message"]["text"].endswith("enter nmi (PKRS INIT)")
    assert all(set(s["state"]) == {"PKRS[cpu 0]", "thread.saved_pkrs[task 0]"} for s in flow["locations"])
    assert run["tool"]["driver"]["rules"][lost["ruleIndex"]]["id"] == "no_lost"
    fresh = run["results"][1]  # nothing resets PKRS on the nmi entry: located at the handler that leaves nmi out
    assert fresh["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].startswith("on entry(irq)")


def test_junit_has_a_testcase_per_spec_and_property():
    code, out, _ = run_cli("check", *CHECKED, "--format", "junit")
    root = ET.fromstring(out)
    assert root.tag == "testsuites" and root.get("tests") == "18" and root.get("failures") == "4"
    suites = [s for s in root.findall("testsuite")]
    failed = [c.get("name") for c in suites[1].findall("testcase") if c.find("failure") is not None]
    assert failed == ["fresh", "no_lost", "no_stale"]
    assert suites[2].get("failures") == "0" and suites[2].get("tests") == "6"


def test_markdown_draws_each_counterexample_as_a_mermaid_sequence_diagram():
    code, out, _ = run_cli("check", *CHECKED, "--format", "markdown")
    diagrams = re.findall(r"```mermaid\n(.*?)```", out, re.S)
    assert len(diagrams) == 4
    for diagram in diagrams:
        lines = diagram.splitlines()
        assert lines[0] == "sequenceDiagram"
        body = [line for line in lines[1:] if not line.strip().startswith("participant")]
        assert not any(";" in line or "#" in line for line in body), "`;` and `#` break Mermaid"
        # activations (entries) and deactivations (exits) never go below zero
        depth = 0
        for line in body:
            depth += line.count("->>+") - line.count("-->>-")
            assert depth >= 0
        assert lines.count("    end") == 1 and any(line.startswith("    rect ") for line in lines)


def test_output_file_gets_the_format_and_the_terminal_the_text(tmp_path):
    target = tmp_path / "report.sarif"
    code, out, _ = run_cli("check", *CHECKED, "--format", "sarif", "--output", str(target))
    assert code == 1
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert "no_lost: VIOLATED in 6 events" in out  # the text report, as without --output


def test_output_into_a_missing_directory_is_an_input_error(tmp_path):
    code, _, err = run_cli("check", *CHECKED, "--output", str(tmp_path / "no" / "such.json"))
    assert code == 2 and "no such directory" in err


# ---- coverage ------------------------------------------------------------------------------------

MODEL = """model m "nmi only from irq" {
    tasks 1; kthreads 0; cpus 1; depth 1
    base user
    entry syscall { from user; writes }
    entry irq     { from user, syscall; writes; atomic }
    entry nmi     { from irq; writes; atomic }
}
"""
SPEC = """strategy s "pt_regs, and a thread slot for switches that never come" {
    model "m.model"
    storage r : frame in pt_regs
    storage t : task
    on entry      { r = PKRS; PKRS = INIT }
    on exit(syscall, irq) { PKRS = r }
    on exit(nmi)  { PKRS = r }
    on switch_out { t = PKRS }
}
"""


def test_coverage_warns_about_a_kind_never_entered_and_handlers_never_run(tmp_path):
    # depth 1: nmi (only from irq) is never entered; nothing sleeps: no context switch ever happens
    (tmp_path / "m.model").write_text(MODEL)
    (tmp_path / "s.spec").write_text(SPEC)
    code, out, _ = run_cli("check", str(tmp_path / "s.spec"), "--no-timings")
    assert code == 0  # every property holds, which is exactly when the warnings matter
    assert "warning: vacuous: entry kind `nmi` was never entered" in out
    assert "warning: vacuous: handler `on exit(nmi)` never ran" in out
    assert "warning: vacuous: handler `on switch_out` never ran" in out
    # no context switch: no_stale is never checked, and says so in its verdict
    assert "warning: vacuous: no step ever checked no_stale" in out
    assert "no_stale      VACUOUS (holds, but no step ever checked it)" in out
    assert "entered: syscall, irq" in out and "deepest nesting: 1 of depth 1" in out
    assert_mailable(out)
    code, _, _ = run_cli("check", str(tmp_path / "s.spec"), "--strict")
    assert code == 1  # --strict: a vacuous "holds" fails the run
    code, out, _ = run_cli("check", str(tmp_path / "s.spec"), "--format", "sarif")
    warnings = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "coverage"]
    # no_lost is never checked either at depth 1, and the model would nest deeper than depth 1
    assert len(warnings) == 6 and all(r["level"] == "warning" for r in warnings)


def test_coverage_warns_when_nothing_ever_nests():
    code, out, _ = run_cli("check", "tests/cases/flat_nothing_nests_holds.spec", "--no-timings")
    assert code == 0
    assert "warning: no entry ever nested inside another (deepest nesting 1)" in out
    code, out, _ = run_cli("check", "tests/cases/flat_nothing_nests_holds.spec", "--format", "json")
    assert json.loads(out)["results"][0]["coverage"]["warnings"]


# ---- compare ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """One run over the seven designs at the default bounds: plain on stdout, markdown in a file."""
    markdown = tmp_path_factory.mktemp("compare") / "compare.md"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        code, out, err = run_cli("compare", *SEVEN, "--no-timings", "--format", "markdown", "--output", str(markdown))
    return code, out, err, markdown.read_text()


def test_compare_makes_the_threads_argument_at_a_glance(compared):
    code, out, err, _ = compared
    assert code == 1, err
    verdicts = {}
    for line in out.splitlines():  # the first table: a row per design, a column per property
        words = line.split()
        if words and words[0] in {Path(s).stem for s in SEVEN} and words[1] in ("ok", "FAIL"):
            verdicts.setdefault(words[0], words[1:])
    # docs/kernel-facts.md, the last table, in the order fresh, lost, stale, clobber, overflow, underflow
    assert " ".join(verdicts["thread_struct"]) == "ok FAIL 6 FAIL 5 ok ok ok"
    assert " ".join(verdicts["stack7"]) == "ok ok FAIL 5 ok FAIL 8 ok"
    assert " ".join(verdicts["stack15"]) == "ok ok FAIL 5 ok ok ok"
    assert " ".join(verdicts["idtentry_state"]) == "FAIL 3 FAIL 4 FAIL 5 ok ok ok"
    assert " ".join(verdicts["pt_regs"]) == "ok ok FAIL 5 ok ok ok"
    assert " ".join(verdicts["pt_regs_switch"]) == "ok ok ok ok ok ok"
    assert " ".join(verdicts["real_pt_regs"]) == "ok ok ok ok ok ok"
    # bytes per task, CPU, frame; MSR on entry, exit, switch; pt_regs layout; found from pt_regs
    assert re.search(r"^stack7\s+32\s+0\s+0\s+1r 1w\s+0r 1w\s+0r 0w\s+same\s+no$", out, re.M)  # the thread's 32
    assert re.search(r"^stack15\s+64\s+0\s+0\s", out, re.M)
    assert re.search(r"^pt_regs_switch\s+4\s+0\s+4\s+1r 1w\s+0r 1w\s+1r 1w\s+grows\s+yes$", out, re.M)
    assert re.search(r"^real_pt_regs\s+4\s+0\s+4\s+1r 1w\s+0r 1w\s+1r 1w\s+same\s+yes$", out, re.M)
    assert re.search(r"^idtentry_state\s+0\s+0\s+4\*\s+1r 1w\*", out, re.M)
    assert "The shortest counterexample of each violated design" in out
    assert_mailable(out)


def test_compare_goldens(compared, update_goldens):
    _, out, _, markdown = compared
    compare_golden(GOLDENS / "compare.txt", mask(out), update_goldens)
    compare_golden(GOLDENS / "compare.md", mask(markdown), update_goldens)


# ---- the 72-column limit everywhere ------------------------------------------------------------

def test_every_plain_report_of_the_cases_fits_in_72_columns():
    cases = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "cases").glob("*.spec"))
    code, out, _ = run_cli("check", *cases, "--no-timings")
    assert out.count("culprit: ") == out.count(": VIOLATED in ") >= 19
    assert_mailable(out)


def test_no_color_and_plain_flag_give_plain_text(monkeypatch):
    import sys

    from pkrsverify.cli import terminal_for

    class Tty:
        def isatty(self):
            return True

        def write(self, text):
            return len(text)

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", Tty())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not terminal_for(False).plain and terminal_for(True).plain
    monkeypatch.setenv("NO_COLOR", "1")
    assert terminal_for(False).plain


def test_a_terminal_gets_colour_and_the_same_content():
    from rich.console import Console

    from pkrsverify.explain.trace import explain
    from pkrsverify.explicit.engine import check
    from pkrsverify.front.loader import load_strategy
    from pkrsverify.report.text import render_text
    from pkrsverify.semantics.system import System

    spec = "tests/cases/thread_slot_nested_lost.spec"
    strategy = load_strategy(spec)
    result = explain(strategy, check(System(strategy), spec=spec))
    console = Console(force_terminal=True, width=120, color_system="standard", record=True)
    console.print(render_text(result, plain=False))
    coloured = console.export_text(styles=True, clear=False)
    assert "\x1b[" in coloured and "culprit: " in console.export_text()


# ---- DOT -------------------------------------------------------------------------------------------

def test_graph_golden_with_the_state_graph_of_a_small_space(tmp_path, update_goldens):
    target = tmp_path / "g.dot"
    code, _, err = run_cli("check", "tests/cases/one_slot_stack_overflows.spec", "--graph", str(target))
    assert code == 1, err
    dot = target.read_text()
    assert dot.startswith("digraph pkrsverify {") and dot.count("{") == dot.count("}")
    assert "every reachable state" in dot and "no_overflow violated" in dot
    compare_golden(GOLDENS / "graph.dot", dot, update_goldens)
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg", str(target), "-o", str(tmp_path / "g.svg")], check=True)


def test_graph_of_a_large_space_has_only_the_counterexamples(tmp_path):
    target = tmp_path / "g.dot"
    run_cli("check", "specs/thread_struct.spec", "--depth", "3", "--property", "no_lost", "--property", "no_stale",
            "--graph", str(target))
    dot = target.read_text()
    assert dot.count("subgraph cluster_") == 2 and "every reachable state" not in dot


# ---- test: specs as a regression suite -----------------------------------------------------------

def copy_case(tmp_path: Path, name: str, model: str) -> Path:
    """A hand-worked case and its model in a folder of their own."""
    folder = tmp_path / "suite"
    folder.mkdir(exist_ok=True)
    shutil.copy(ROOT / "tests" / "cases" / f"{name}.spec", folder)
    shutil.copy(ROOT / "tests" / "cases" / f"{model}.model", folder)
    return folder / f"{name}.spec"


@pytest.mark.slow
def test_the_threads_designs_meet_their_expectations():
    code, out, err = run_cli("test", "specs", "--no-timings")
    assert code == 0, out + err
    assert out.splitlines()[-1] == "7 passed, 0 failed, 0 undecided"
    assert_mailable(out)


def test_the_hand_worked_cases_meet_their_expectations():
    code, out, err = run_cli("test", "tests/cases", "--no-timings")
    assert code == 0, out + err
    assert re.fullmatch(r"\d+ passed, 0 failed, 0 undecided", out.splitlines()[-1])
    assert_mailable(out)


def test_a_wrong_expectation_fails_the_suite(tmp_path):
    copy_case(tmp_path, "pt_regs_switch_holds", "syscall_irq")
    spec = copy_case(tmp_path, "thread_slot_nested_lost", "three_level")
    spec.write_text(spec.read_text().replace("expect no_lost violated length 6", "expect no_lost violated length 5"))
    code, out, _ = run_cli("test", str(spec.parent))
    assert code == 1
    assert "FAIL" in out and "expect no_lost violated length 5: violated in 6 events" in " ".join(out.split())
    assert out.splitlines()[-1] == "1 passed, 1 failed, 0 undecided"


def test_a_limit_hit_first_is_undecided_not_a_pass_nor_a_mismatch(tmp_path):
    shutil.copy(ROOT / "specs" / "pt_regs_switch.spec", tmp_path)  # ~2,300 states; stopped well before
    code, out, _ = run_cli("test", str(tmp_path), "--max-states", "300")
    assert code == 3
    assert "UNDECIDED" in out and out.splitlines()[-1] == "0 passed, 0 failed, 1 undecided"


def test_other_bounds_decide_only_what_they_can(tmp_path):
    # The case's own bounds are depth 3; say depth 4 instead, where the nested-NMI scenario still
    # takes 6 events. A run at depth 3 finds it: a violation within the spec's bounds is one at them...
    spec = copy_case(tmp_path, "thread_slot_nested_lost", "three_level")
    text = spec.read_text().replace("        depth 3\n", "        depth 4\n")
    spec.write_text(text)
    code, out, _ = run_cli("test", str(spec.parent), "--depth", "3")
    flat = " ".join(out.split())
    # ... but depth 4 might have a shorter one, and "holds" at depth 3 says nothing of depth 4.
    assert code == 3 and "at smaller bounds; the spec's may have a shorter one" in flat
    spec.write_text(text.replace("expect no_lost violated length 6", "expect no_lost violated length 7"))
    code, out, _ = run_cli("test", str(spec.parent), "--depth", "3")
    assert code == 1 and "the spec's shortest is at most 6 events" in " ".join(out.split())
    # A run beyond the spec's bounds: what holds there holds within them.
    spec.write_text(spec.read_text().replace("        depth 4\n", "        depth 2\n")
                    .replace("expect no_lost violated length 7", "expect no_lost holds"))
    code, out, _ = run_cli("test", str(spec.parent), "--depth", "3")
    assert code == 3 and "at larger bounds than the spec's" in " ".join(out.split())


def test_junit_from_test_has_a_testcase_per_expectation(tmp_path):
    spec = copy_case(tmp_path, "thread_slot_nested_lost", "three_level")
    code, out, _ = run_cli("test", str(spec.parent), "--format", "junit", "--no-timings")
    assert code == 0
    root = ET.fromstring(out)
    names = [c.get("name") for c in root.iter("testcase")]
    assert names == ["fresh holds", "no_lost violated length 6", "no_stale holds", "no_clobber holds",
                     "no_overflow holds", "no_underflow holds"]
    assert root.get("failures") == "0" and root.get("skipped") == "0"


def test_nothing_to_test_is_an_input_error(tmp_path):
    (tmp_path / "m.model").write_text(MODEL)
    (tmp_path / "s.spec").write_text(SPEC)  # no `expect` line
    code, _, err = run_cli("test", str(tmp_path))
    assert code == 2 and "nothing to test" in err


# ---- a terminal narrower than the table ------------------------------------------------------------

@pytest.mark.parametrize("width", [120, 80, 60])
def test_a_narrow_terminal_never_breaks_a_name_or_an_event(width):
    from rich.console import Console

    from pkrsverify.explain.trace import explain
    from pkrsverify.explicit.engine import check
    from pkrsverify.front.loader import load_strategy
    from pkrsverify.report.comparison import render_rich_comparison
    from pkrsverify.report.text import render_text
    from pkrsverify.semantics.system import System

    strategy = load_strategy("specs/stack7.spec")
    result = explain(strategy, check(System(strategy), spec="specs/stack7.spec"))
    console = Console(force_terminal=True, width=width, record=True, color_system=None)
    console.print(render_text(result, plain=False))
    console.print(render_rich_comparison([result]))
    out = console.export_text()
    assert max(map(len, out.splitlines())) <= width
    lines = out.splitlines()
    for token in ("thread.pkrs_stack[task", "enter page_fault", "enter mce", "stack7"):
        assert any(token in line for line in lines), (width, token)
    assert "pkrs_stac\n" not in out and "ente\n" not in out


# ---- reports for CI that survive bad input ------------------------------------------------------------

def _bad_spec(directory: Path) -> Path:
    bad = directory / "broken.spec"
    bad.write_text("strategy broken {\n    model x86_64\n    on entry { PKRS = thread.nowhere }\n}\n")
    return bad


def test_a_bad_spec_is_reported_in_sarif_and_the_others_are_checked(tmp_path):
    bad = _bad_spec(tmp_path)
    out = tmp_path / "x.sarif"
    code, _, err = run_cli("check", str(bad), "specs/pt_regs.spec", "--format", "sarif", "--output", str(out))
    assert code == 2  # the input is wrong, and the report says what the good spec does anyway
    assert "error[E102]" in err and "checking the others" in err
    log = json.loads(out.read_text())
    jsonschema.validate(log, SARIF_SCHEMA)
    run = log["runs"][0]
    errors = [r for r in run["results"] if r["ruleId"] == "E102"]
    assert len(errors) == 1 and errors[0]["level"] == "error"
    region = errors[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 23)
    assert any(r["ruleId"] == "no_stale" for r in run["results"])  # pt_regs was checked: no_stale violated
    assert run["properties"]["checked"][0]["strategy"] == "pt_regs"


def test_a_bad_spec_is_an_errored_testcase_in_junit(tmp_path):
    shutil.copy(ROOT / "specs" / "pt_regs.spec", tmp_path / "pt_regs.spec")
    _bad_spec(tmp_path)
    out = tmp_path / "x.xml"
    code, _, _ = run_cli("test", str(tmp_path), "--format", "junit", "--output", str(out))
    assert code == 2
    root = ET.parse(out).getroot()
    assert root.get("errors") == "1" and int(root.get("tests")) > 1
    error = root.find(".//testcase/error")
    assert error is not None and "E102" in error.get("message") and "broken.spec:3:23" in error.text
    assert any(case.get("name") == "no_stale violated length 5" for case in root.iter("testcase"))


def test_sarif_uris_are_relative_to_the_repository_root(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT / "tests")
    code, out, _ = run_cli("check", "../specs/pt_regs.spec", "--format", "sarif")
    run = json.loads(out)["runs"][0]
    assert run["artifacts"][0]["location"] == {"uri": "specs/pt_regs.spec", "uriBaseId": "%SRCROOT%"}
    assert "%SRCROOT%" in run["originalUriBaseIds"]
