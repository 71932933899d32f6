#!/usr/bin/env python3
"""How big the HTML report of `compare specs/*.spec` is, and how long headless Chromium takes to render it
(issue 14's targets: under 1 MB, under 2 s). Not a test: the project shows performance here, never in a
timed unit test.

Per run: the page's size; Chromium's wall time to load it and write a screenshot, against the same for a
one-line page (Chromium's own start-up, which no page can avoid); and, from inside the page, when its DOM
was parsed and its script had run, and when its load event fired (performance.now(), in ms since the
navigation started). The page is run through tests/browser.py's harness, which also records uncaught
errors and presses a key, so a run that breaks the page says so.

    python3 bench/html_bench.py                # 5 runs
    python3 bench/html_bench.py --runs 10 --width 1400 --height 3000
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import browser  # noqa: E402  (tests/browser.py: the same Chromium flags and harness as the tests)


def timed(url: str, *extra: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = browser.run(url, *extra)
    return time.perf_counter() - started, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2000)
    args = parser.parse_args()
    if browser.BINARY is None:
        print("chromium is not installed (Debian: apt-get install -y chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="pkrs-html-bench-") as tmp:
        tmp = Path(tmp)
        report = tmp / "compare.html"
        specs = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").glob("*.spec"))
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pkrsverify", "compare", *specs, "--format", "html", "--output",
                               str(report), "--no-timings"], cwd=ROOT, capture_output=True, text=True)
        made = time.perf_counter() - started
        if done.returncode not in (0, 1):
            print(done.stderr, file=sys.stderr)
            return 1
        page = report.read_text(encoding="utf-8")
        stepped = tmp / "stepped.html"
        stepped.write_text(browser.harness(page, ["j"]), encoding="utf-8")
        blank = tmp / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title><p>x</p>\n")
        walls, bases, parsed, loaded = [], [], [], []
        for run in range(args.runs):
            size = f"--window-size={args.width},{args.height}"
            wall, _ = timed(report.as_uri(), f"--screenshot={tmp / 'shot.png'}", size)
            base, _ = timed(blank.as_uri(), f"--screenshot={tmp / 'blank.png'}", size)
            _, dom = timed(stepped.as_uri(), "--dump-dom")
            seen = browser.root_attributes(dom.stdout)
            if "data-errors" in seen or browser.console_messages(dom):
                print(f"run {run + 1}: the page reported errors: {seen.get('data-errors')} "
                      f"{browser.console_messages(dom)}", file=sys.stderr)
                return 1
            walls.append(wall)
            bases.append(base)
            parsed.append(float(seen["data-parsed-ms"]))
            loaded.append(float(seen.get("data-loaded-ms", "nan")))
    median = statistics.median
    print(f"compare {len(specs)} specs --format html: {len(page.encode('utf-8')):,} bytes "
          f"({len(page.encode('utf-8')) / 1e6:.3f} MB), {page.count('<svg ')} pictures, made in {made:.2f} s")
    print(f"chromium, {args.runs} runs, median (min-max):")
    print(f"  screenshot of the report: {median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f})")
    print(f"  screenshot of a blank page: {median(bases):.2f} s ({min(bases):.2f}-{max(bases):.2f}): start-up")
    print(f"  in the page: DOM parsed and script run at {median(parsed):.0f} ms, load event at "
          f"{median(loaded):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
