"""The swim-lane pictures (`--picture`, report/svg.py) and the HTML report (`--format html`): what they
show, that they stand alone, and that a real browser renders them (headless Chromium: tests/browser.py;
those tests skip where it is not installed).

The picture's structure, not its pixels, is pinned by a golden file (tests/goldens/
thread_struct_no_lost.svg.txt: every element's tag, class, data- attributes and text, no geometry).
`pytest --update-goldens` rewrites it and also saves the browser's screenshot of the picture to
docs/images/thread_struct_no_lost.png, which the docs show.
"""
from __future__ import annotations

import base64
import hashlib
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import browser
from conftest import ROOT, compare_golden, run_cli
from pkrsverify import __version__

GOLDENS = Path(__file__).resolve().parent / "goldens"
DOCS_IMAGE = ROOT / "docs" / "images" / "thread_struct_no_lost.png"
SVG = "{http://www.w3.org/2000/svg}"
SEVEN = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").glob("*.spec"))


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def draw(tmp_path: Path, *argv: str, name: str = "picture.svg") -> tuple[int, str, Path]:
    target = tmp_path / name
    code, _, err = run_cli("check", *argv, "--no-timings", "--picture", str(target))
    return code, err, target


def lost_picture(tmp_path: Path) -> Path:
    """thread_struct's 6-event no_lost counterexample, drawn."""
    code, err, target = draw(tmp_path, "specs/thread_struct.spec", "--property", "no_lost")
    assert code == 1, err
    return target


def classed(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if cls in e.get("class", "").split()]


def words(element: ET.Element) -> str:
    return "".join(element.itertext())


def skeleton(element: ET.Element, depth: int = 0) -> list[str]:
    """The picture's structure: each element's tag, class, data- attributes and text; no coordinates."""
    keep = {k: v for k, v in sorted(element.attrib.items()) if k in ("class", "id") or k.startswith("data-")}
    text = (element.text or "").strip()
    line = "  " * depth + element.tag.replace(SVG, "") + "".join(f" {k}={v!r}" for k, v in keep.items())
    out = [line + (f" {text!r}" if text else "")]
    for child in element:
        out += skeleton(child, depth + 1)
    return out


# ---- the picture -------------------------------------------------------------------------------------

def test_the_picture_of_a_lost_value_tells_the_story(tmp_path, update_goldens):
    root = ET.parse(lost_picture(tmp_path)).getroot()
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "thread_struct: no_lost violated in 6 events"
    assert not list(root.iter(f"{SVG}script")), "plain SVG: no script"
    assert all(v.startswith("url(#") for e in root.iter() for k, v in e.attrib.items() if "url(" in v)
    (lane,) = classed(root, "lane")
    assert lane.get("data-cpu") == "0"
    # the nesting, as boxes in boxes: user > syscall > page_fault > irq
    frames = [(f.get("data-kind"), f.get("data-level"), f.get("data-from"), f.get("data-to"))
              for f in classed(lane, "frame")]
    assert frames == [("user", "0", "0", "7"), ("syscall", "1", "1", "7"), ("page_fault", "2", "2", "6"),
                      ("irq", "3", "4", "5")]
    # PKRS in the box that runs, column by column: v1 written at 3, INIT in the irq, v1 back, and v1 lost
    pkrs = {int(t.get("data-step")): words(t) for t in classed(root, "pkrs")}
    assert pkrs == {0: "PKRS=INIT", 1: "PKRS=INIT", 2: "PKRS=INIT", 3: "PKRS=v1", 4: "PKRS=INIT", 5: "PKRS=v1",
                    6: "PKRS=v1 ✗"}
    (wrong,) = classed(root, "wrong")
    assert wrong.get("data-step") == "6" and "but the syscall below it had INIT" in words(wrong)
    # the culprits on the picture: saved and overwrote by line 11, restored by line 15, at their events
    culprits = classed(root, "culprits")[0]
    tags = [(m.get("data-role"), m.get("data-step")) for m in classed(culprits, "marker")]
    assert tags == [("saved", "2"), ("overwrote", "4"), ("restored", "6")]
    assert [words(t) for t in classed(culprits, "line")] == ["line 11", "line 11", "line 15"]
    assert [(m.get("data-role"), m.get("data-step")) for m in classed(classed(root, "marks")[0], "marker")] == tags
    legend = " ".join(words(t) for t in classed(root, "blame"))
    assert "line 11: thread.saved_pkrs = PKRS" in legend and "line 15: PKRS = thread.saved_pkrs" in legend
    # the saved value overwritten, as a timing diagram: INIT until step 4, then v1
    values = [(v.get("data-from"), v.get("data-to"), words(v.find(f"{SVG}text"))) for v in classed(root, "value")]
    assert values == [("0", "4", "INIT"), ("4", "7", "v1")]
    compare_golden(GOLDENS / "thread_struct_no_lost.svg.txt", "\n".join(skeleton(root)) + "\n", update_goldens)


def test_a_task_switched_out_leaves_one_lane_and_enters_another(tmp_path):
    # one task, two CPUs: it sleeps in a #PF on CPU 0, CPU 1 picks it up, and the exit there reads CPU 1's slot
    code, err, target = draw(tmp_path, "tests/cases/cpu_slot_switch_migration_lost.spec")
    assert code == 1, err
    root = ET.parse(target).getroot()
    lanes = {lane.get("data-cpu"): lane for lane in classed(root, "lane")}
    assert set(lanes) == {"0", "1"}
    on = {cpu: [(f.get("data-kind"), f.get("data-from"), f.get("data-to")) for f in classed(lane, "frame")]
          for cpu, lane in lanes.items()}
    assert on["0"] == [("user", "0", "4"), ("syscall", "1", "4"), ("page_fault", "3", "4")]
    assert on["1"] == [("user", "5", "7"), ("syscall", "5", "7"), ("page_fault", "5", "6")]
    assert [(s.get("data-task"), s.get("data-step")) for s in classed(root, "switch")] == [("0", "4"), ("0", "5")]
    (waiting,) = classed(root, "waiting")
    assert (waiting.get("data-from"), waiting.get("data-to")) == ("4", "5")
    assert "page_fault, left INIT" in words(waiting)
    assert [i.get("data-cpu") for i in classed(root, "idle")] == ["0", "1"]


def test_a_preempted_frame_is_drawn_exiting(tmp_path):
    code, err, target = draw(tmp_path, "tests/cases/preempt_shared_slot_lost.spec")
    assert code == 1, err
    root = ET.parse(target).getroot()
    irq = [f for f in classed(root, "frame") if f.get("data-kind") == "irq"]
    assert [bool(classed(f, "exiting")) for f in irq] == [False, True]  # after the preemption, on its way out


def test_a_fatal_push_is_drawn_where_the_frame_would_have_gone(tmp_path):
    code, err, target = draw(tmp_path, "tests/cases/one_slot_stack_overflows.spec")
    assert code == 1, err
    root = ET.parse(target).getroot()
    pictures = root.findall(f"{SVG}svg") or [root]
    overflow = next(p for p in pictures if "no_overflow" in p.find(f"{SVG}title").text)
    (wrong,) = classed(overflow, "wrong")
    assert "BUG()" in words(wrong) and "?" in words(wrong)


def test_several_designs_get_a_picture_each_and_none_without_a_counterexample(tmp_path):
    specs = ["tests/cases/thread_slot_nested_lost.spec", "tests/cases/pt_regs_switch_holds.spec",
             "tests/cases/pt_regs_two_tasks_stale.spec"]
    code, err, target = draw(tmp_path, *specs, name="lanes.svg")
    assert code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lanes-pt_regs.svg", "lanes-thread_slot.svg"]
    assert "wrote" in err
    code, err, target = draw(tmp_path, "tests/cases/pt_regs_switch_holds.spec", name="none.svg")
    assert code == 0 and not target.exists() and "no counterexample to draw" in err


def test_compare_draws_each_violated_designs_shortest_counterexample(tmp_path):
    specs = ["tests/cases/thread_slot_nested_lost.spec", "tests/cases/pt_regs_switch_holds.spec",
             "tests/cases/idtentry_state_irq_only.spec"]
    code, _, err = run_cli("compare", *specs, "--no-timings", "--picture", str(tmp_path / "c.svg"))
    assert code == 1, err
    # named by design (the strategy's name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-idtentry_state.svg", "c-thread_slot.svg"]
    drawn = ET.parse(tmp_path / "c-idtentry_state.svg").getroot()
    assert not drawn.findall(f"{SVG}svg")  # one counterexample: the shortest, as compare shows
    assert drawn.find(f"{SVG}title").text == "idtentry_state: fresh violated in 3 events"


def test_markdown_embeds_the_picture_beside_the_mermaid_diagram():
    code, out, _ = run_cli("check", "specs/thread_struct.spec", "--format", "markdown", "--no-timings")
    assert code == 1
    blocks = re.findall(r"```mermaid\n.*?```\n\n<img alt=\"([^\"]+)\" src=\"data:image/svg\+xml;base64,([^\"]+)\">",
                        out, re.S)
    assert len(blocks) == 2
    for alt, data in blocks:
        picture = ET.fromstring(base64.b64decode(data))
        assert picture.tag == f"{SVG}svg" and "violated in" in picture.find(f"{SVG}title").text
        assert "swim lanes" in alt


# ---- the HTML page ---------------------------------------------------------------------------------------

def html_report(tmp_path: Path, *argv: str, command: str = "check") -> str:
    target = tmp_path / "report.html"
    code, _, err = run_cli(command, *argv, "--format", "html", "--output", str(target), "--no-timings")
    assert code in (0, 1), err
    return target.read_text(encoding="utf-8")


def test_the_html_report_stands_alone_and_names_what_it_checked(tmp_path):
    page = html_report(tmp_path, "specs/thread_struct.spec")
    # nothing from the network: no link, no import, no URL but the SVG namespace; a policy forbidding them
    assert "default-src 'none'" in page and "<link" not in page and "@import" not in page
    assert not re.findall(r"https?://(?!www\.w3\.org/2000/svg)", page)
    refs = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert refs and all(r.startswith("#") for r in refs), refs
    # the verdict table, the review figures, both counterexamples as pictures and step tables
    assert "VIOLATED in 6 events" in page and "VIOLATED in 5 events" in page and "<th>B/task</th>" in page
    pictures = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(pictures) == 2 and all(ET.fromstring(p).tag == f"{SVG}svg" for p in pictures)
    assert page.count('<table class="steps">') == 2
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids are unique across the inlined pictures"
    # the spec's text with the culprit lines marked, and its hash and the version in the footer
    assert re.search(r'<span class="line culprit" id="spec-0-L11">.*?no_lost 1: saved \(step 2\)', page)
    assert re.search(r'<span class="line culprit" id="spec-0-L15">.*?no_lost 3: restored \(step 6\)', page)
    digest = hashlib.sha256((ROOT / "specs" / "thread_struct.spec").read_bytes()).hexdigest()
    footer = page[page.index("<footer>"):page.index("</footer>")]
    assert digest in footer and f"pkrsverify {__version__}" in footer
    # complete without its script: every step of every counterexample is in the markup
    bare = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    for event in ("enter page_fault", "exit page_fault", "schedule -&gt; task 1", "schedule -&gt; task 0"):
        assert f'data-event="{event}"' in bare


def test_the_html_of_compare_links_each_fail_to_its_picture(tmp_path):
    specs = ["tests/cases/thread_slot_nested_lost.spec", "tests/cases/pt_regs_switch_holds.spec",
             "tests/cases/idtentry_state_irq_only.spec"]
    page = html_report(tmp_path, *specs, command="compare")
    assert "<h2>Verdicts</h2>" in page and "<h2>Review figures</h2>" in page
    links = re.findall(r'<td class="fail"><a href="#(t\d+)">FAIL \d+</a></td>', page)
    assert len(links) == 4 and all(f'<section class="trace" id="{t}"' in page for t in links)
    assert page.count("<footer>") == 1 and page.count("SHA-256 <code>") >= 2 * 3


def test_test_and_size_render_as_pages_too(tmp_path):
    folder = tmp_path / "suite"
    folder.mkdir()
    for name in ("thread_slot_nested_lost.spec", "three_level.model"):
        shutil.copy(ROOT / "tests" / "cases" / name, folder)
    page = html_report(tmp_path, str(folder), command="test")
    assert "<h1>pkrsverify test</h1>" in page and "no_lost violated length 6" in page and "6 passed" not in page
    assert "1 passed, 0 failed, 0 undecided" in page and hashlib.sha256(
        (folder / "thread_slot_nested_lost.spec").read_bytes()).hexdigest() in page
    target = tmp_path / "size.html"
    code, _, _ = run_cli("size", "tests/cases/one_slot_stack_overflows.spec", "--format", "html", "--output",
                         str(target), "--no-timings")
    assert code == 1
    page = target.read_text()
    assert "<h1>pkrsverify size</h1>" in page and '<td class="fail">no</td>' in page


# ---- in a browser ---------------------------------------------------------------------------------------

def test_the_picture_renders_in_chromium(tmp_path, update_goldens):
    browser.need_chromium()
    picture = lost_picture(tmp_path)
    root = ET.parse(picture).getroot()
    width, height = int(root.get("width")), int(root.get("height"))
    shot = tmp_path / "lost.png"
    done = browser.screenshot(picture.as_uri(), shot, width, height)
    assert not browser.console_messages(done)
    w, h, pixels = browser.png_pixels(shot)
    assert (w, h) == (width, height)
    assert len(pixels) > 40, f"{len(pixels)} distinct pixel values: a blank picture?"
    assert (255, 255, 255) in {tuple(p[:3]) for p in pixels}
    if update_goldens:
        DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, DOCS_IMAGE)


def test_the_html_report_renders_and_steps_with_the_keyboard(tmp_path):
    browser.need_chromium()
    page = tmp_path / "stepped.html"
    page.write_text(browser.harness(html_report(tmp_path, "specs/thread_struct.spec"),
                                    ["j", "j", "ArrowRight", "k"]), encoding="utf-8")
    done = browser.run(page.as_uri(), "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert not browser.console_messages(done)
    seen = browser.root_attributes(done.stdout)
    assert "data-errors" not in seen, seen["data-errors"]
    assert seen["data-stepper"] == "ready" and "js" in seen["class"].split()
    assert seen["data-at"] == "0:2" and seen["data-now"] == "2" and seen["data-lit"] == "1"


@pytest.mark.slow
def test_the_html_of_every_design_compared_is_small_and_renders(tmp_path):
    browser.need_chromium()
    text = html_report(tmp_path, *SEVEN, command="compare")
    assert len(text.encode("utf-8")) < 1_000_000
    page = tmp_path / "compared.html"
    page.write_text(browser.harness(text, ["n", "j"]), encoding="utf-8")
    done = browser.run(page.as_uri(), "--dump-dom")
    assert not browser.console_messages(done) and "data-errors" not in browser.root_attributes(done.stdout)
    assert browser.root_attributes(done.stdout)["data-at"] == "1:1"
    shot = tmp_path / "compared.png"
    browser.screenshot((tmp_path / "report.html").as_uri(), shot, 1280, 2000)
    assert len(browser.png_pixels(shot)[2]) > 40
