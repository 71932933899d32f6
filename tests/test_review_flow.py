"""pkrsverify in a repository's review flow: the pre-commit hooks (.pre-commit-hooks.yaml) and the GitHub
Actions workflow (examples/github-actions/pkrsverify.yml), run on a temporary git repository of specs.

pre-commit runs a hook's `entry` with the staged files that match its `files` pattern as arguments (none
when `pass_filenames: false`), in the repository's top directory, and skips the hook when no file
matches; `commit` below does the same. The entry's `pkrsverify` runs as `python -m pkrsverify`, so
that the package under test is the one that runs.
"""
from __future__ import annotations

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT

CASES = ROOT / "tests" / "cases"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "sarif-schema-2.1.0.json").read_text())
WORKFLOW = ROOT / "examples" / "github-actions" / "pkrsverify.yml"


def hooks() -> dict[str, dict[str, str]]:
    """The hooks of .pre-commit-hooks.yaml: a list of flat mappings, read without a YAML library."""
    out, current = {}, None
    for line in (ROOT / ".pre-commit-hooks.yaml").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"(- |  )(\w+): (.*)", line)
        assert match, f"unexpected line in .pre-commit-hooks.yaml: {line!r}"
        if match.group(1) == "- ":
            current = {}
        current[match.group(2)] = match.group(3)
        if match.group(2) == "id":
            out[match.group(3)] = current
    return out


def git(repo: Path, *argv: str) -> str:
    env = os.environ | {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *argv], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def pkrsverify(repo: Path, argv: list[str]) -> subprocess.CompletedProcess:
    assert argv[0] == "pkrsverify", argv
    env = os.environ | {"PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "pkrsverify", *argv[1:]], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=300)


def run_hook(repo: Path, hook: dict[str, str]) -> subprocess.CompletedProcess | None:
    """The hook on what is staged, as pre-commit runs it; None where pre-commit would skip it."""
    staged = git(repo, "diff", "--cached", "--name-only", "--diff-filter=ACMR").split()
    matching = [f for f in staged if re.search(hook["files"], f)]
    if not matching:
        return None
    files = matching if hook.get("pass_filenames", "true") != "false" else []
    return pkrsverify(repo, shlex.split(hook["entry"]) + files)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository of two designs with their models and expectations, committed."""
    repo = tmp_path / "designs"
    (repo / "specs").mkdir(parents=True)
    for name in ("thread_slot_nested_lost.spec", "three_level.model", "pt_regs_switch_holds.spec",
                 "syscall_irq.model"):
        shutil.copy(CASES / name, repo / "specs" / name)
    (repo / "README").write_text("design notes\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "designs")
    return repo


def test_the_hook_tests_the_changed_spec_and_fails_on_a_wrong_expectation(repo):
    hook = hooks()["pkrsverify-test"]
    assert hook["language"] == "python" and hook["entry"].startswith("pkrsverify test")
    spec = repo / "specs" / "thread_slot_nested_lost.spec"
    spec.write_text(spec.read_text().replace("expect no_lost violated length 6", "expect no_lost violated length 5"))
    git(repo, "add", "specs/thread_slot_nested_lost.spec")
    done = run_hook(repo, hook)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL" in done.stdout and "pt_regs_switch" not in done.stdout  # only what changed is tested
    git(repo, "checkout", "-q", "HEAD", "--", "specs/thread_slot_nested_lost.spec")
    (repo / "README").write_text("more notes\n")
    git(repo, "add", "README")
    assert run_hook(repo, hook) is None  # nothing matches `files`: pre-commit skips the hook


def test_a_changed_model_tests_every_spec_that_uses_it(repo):
    hook = hooks()["pkrsverify-test"]
    model = repo / "specs" / "three_level.model"
    model.write_text(model.read_text() + "# a comment, and a commit that touches the model\n")
    git(repo, "add", "specs/three_level.model")
    done = run_hook(repo, hook)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "thread_slot_nested_lost.spec" in done.stdout and "pt_regs_switch_holds" not in done.stdout
    assert done.stdout.splitlines()[-1] == "1 passed, 0 failed, 0 undecided"
    model.write_text(model.read_text().replace("entry", "entyr", 1))  # broken: its users cannot load
    git(repo, "add", "specs/three_level.model")
    done = run_hook(repo, hook)
    assert done.returncode == 2 and "three_level.model" in done.stderr


def test_a_spec_without_expectations_passes_the_hook(repo):
    (repo / "specs" / "sketch.spec").write_text((CASES / "pt_regs_switch_holds.spec").read_text()
                                                .replace("expect", "# expect"))
    git(repo, "add", "specs/sketch.spec")
    done = run_hook(repo, hooks()["pkrsverify-test"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "none of the changed specs has an `expect` line" in done.stdout


def test_the_whole_suite_hook_takes_no_file_names(repo):
    hook = hooks()["pkrsverify-test-all"]
    assert hook["pass_filenames"] == "false"
    spec = repo / "specs" / "pt_regs_switch_holds.spec"
    spec.write_text(spec.read_text() + "\n")
    git(repo, "add", "specs/pt_regs_switch_holds.spec")
    done = run_hook(repo, hook)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "2 passed, 0 failed, 0 undecided"


def workflow_commands() -> list[str]:
    """The pkrsverify command lines of the workflow's `run:` steps (an `|| [ $? -eq 1 ]` tolerance cut off)."""
    runs = re.findall(r"^\s+run: (pkrsverify .*)$", WORKFLOW.read_text(), re.M)
    return [run.split(" || ")[0] for run in runs]


def test_the_workflow_runs_and_its_reports_are_what_ci_reads(repo):
    text = WORKFLOW.read_text()
    assert "github/codeql-action/upload-sarif@" in text and "security-events: write" in text
    commands = workflow_commands()
    assert [c.split()[1] for c in commands] == ["test", "check", "compare"]
    codes = {}
    for command in commands:
        argv = [match for word in shlex.split(command) for match in sorted(glob.glob(word, root_dir=repo)) or [word]]
        done = pkrsverify(repo, argv)  # the words globbed in the repository, as the runner's shell does
        codes[argv[1]] = done.returncode
        assert done.returncode in (0, 1), done.stderr
    assert codes["test"] == 0  # every expectation met: the gate passes
    suites = ET.parse(repo / "pkrsverify-junit.xml").getroot()
    assert suites.get("failures") == "0" and int(suites.get("tests")) == 12
    sarif_file = re.search(r"sarif_file: (\S+)", text).group(1)
    log = json.loads((repo / sarif_file).read_text())
    jsonschema.validate(log, SARIF_SCHEMA)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["no_lost"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "specs/thread_slot_nested_lost.spec"  # relative to the repository's top, as code scanning needs
    page = (repo / "pkrsverify.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
