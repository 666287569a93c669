"""The HTML lesson in headless Chromium: the step slider changes the highlighted registers.

Skipped where no Chromium is installed (CI does not install one). ``#step=N`` in the
address moves the slider to step N through the slider's own input event, so a dumped DOM
shows what a reader sees after moving it.
"""
import re
import shutil
import subprocess

import pytest

from emu.cli.main import main

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed: the browser check needs one")


def dom(page, step: int) -> str:
    out = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          f"{page.as_uri()}#step={step}"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def highlighted(html: str) -> list[str]:
    return re.findall(r'<tr data-reg="(\w+)" class="changed">', html)


def test_the_slider_moves_the_highlight(tmp_path, capsys):
    page = tmp_path / "lesson.html"
    assert main(["explain", "--format", "html", "-o", str(page)]) == 0
    at_load = dom(page, 4)
    assert "step 4 / 19" in at_load
    assert highlighted(at_load) == ["rdi", "rip"]                    # MOVQ a1+8(FP), DI
    at_syscall = dom(page, 11)
    assert "step 11 / 19" in at_syscall
    assert highlighted(at_syscall) == ["rax", "rcx", "r11", "rip"]     # SYSCALL
    assert re.search(r'<li class="current"><span>0x40102e  syscall', at_syscall)
