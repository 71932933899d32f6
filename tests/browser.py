"""Headless Chromium for the tests of the pictures and the HTML report, and a PNG reader (stdlib zlib) to
tell a screenshot from a blank page. Used by tests/test_pictures.py and bench/html_bench.py.

Chromium runs as it would in CI as root: no sandbox, no GPU, nothing that reaches the network, a fresh
profile each time. Console messages come out on stderr (`--enable-logging=stderr --v=0`) as
`INFO:CONSOLE` lines; `harness` adds a script that records uncaught errors in the DOM and presses keys,
so `--dump-dom` shows both what went wrong and what the step-through did.
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

BINARY = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0")
CONSOLE = re.compile(r"INFO:CONSOLE[^\]]*\] (.*)")


def need_chromium() -> str:
    import pytest  # only a test skips; bench/html_bench.py uses this module without pytest

    if BINARY is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium); the browser tests need it")
    return BINARY


def run(url: str, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Chromium on `url` with a fresh profile; stdout is what --dump-dom printed."""
    binary = BINARY or need_chromium()
    with tempfile.TemporaryDirectory(prefix="pkrs-chromium-") as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *extra, url], capture_output=True,
                              text=True, timeout=timeout)


def console_messages(done: subprocess.CompletedProcess) -> list[str]:
    return CONSOLE.findall(done.stderr)


def screenshot(url: str, target: Path, width: int, height: int) -> subprocess.CompletedProcess:
    done = run(url, f"--screenshot={target}", f"--window-size={width},{height}")
    assert target.exists(), done.stderr[-2000:]
    return done


KEYS_THEN_RECORD = """<script>
(function (keys) {
  keys.forEach(function (key) { document.dispatchEvent(new KeyboardEvent("keydown", {key: key, bubbles: true})); });
  var root = document.documentElement;
  root.setAttribute("data-parsed-ms", performance.now().toFixed(1));
  var row = document.querySelector("tr.now");
  root.setAttribute("data-now", row ? row.getAttribute("data-step") : "none");
  root.setAttribute("data-lit", String(document.querySelectorAll("rect.col.now").length));
  window.addEventListener("load", function () { root.setAttribute("data-loaded-ms", performance.now().toFixed(1)); });
})(%s);
</script>"""
CATCH_ERRORS = """<script>
window.addEventListener("error", function (e) {
  var root = document.documentElement;
  root.setAttribute("data-errors", (root.getAttribute("data-errors") || "") + e.message + "; ");
});
</script>"""


def harness(page: str, keys: list[str]) -> str:
    """The page with an error catcher first in <head> and, after its own script, `keys` pressed."""
    assert "<head>" in page and "</body>" in page
    presses = "[" + ", ".join(f'"{k}"' for k in keys) + "]"
    return page.replace("<head>", "<head>" + CATCH_ERRORS, 1).replace("</body>", KEYS_THEN_RECORD % presses
                                                                       + "</body>", 1)


def root_attributes(dom: str) -> dict[str, str]:
    match = re.search(r"<html([^>]*)>", dom)
    assert match, dom[:500]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))


# ---- PNG, by hand -------------------------------------------------------------------------------------

def png_pixels(path: Path) -> tuple[int, int, set[bytes]]:
    """(width, height, the distinct pixel values) of an 8-bit RGB or RGBA PNG, unfiltered row by row."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + size]
        pos += 12 + size
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
        elif kind == b"IDAT":
            idat.append(body)
    raw = zlib.decompress(b"".join(idat))
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    previous = bytearray(stride)
    seen: set[bytes] = set()
    for y in range(height):
        start = y * (stride + 1)
        method, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        _unfilter(method, line, previous, bpp)
        seen.update(bytes(line[i:i + bpp]) for i in range(0, stride, bpp))
        previous = line
    return width, height, seen


def _unfilter(method: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    if method == 1:
        for i in range(bpp, len(line)):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif method == 2:
        line[:] = bytes((a + b) & 255 for a, b in zip(line, previous))
    elif method == 3:
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (left + previous[i]) // 2) & 255
    elif method == 4:
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b, c = previous[i], previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    else:
        assert method == 0, f"PNG filter {method}"
