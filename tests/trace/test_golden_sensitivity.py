"""Change one thing in a copy of the code and exactly the goldens it affects fail, each with
a first-divergence message naming the step and what differs. The real tree is untouched:
the package is copied to tmp_path, the copy patched, and the project's golden tests run in a
subprocess with the copy first on sys.path."""
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from tracehelp import ROOT, pytest_in

from emu.trace.formats import read_text

GOLDEN = ROOT / "tests" / "golden"
STUBS = ("Syscall", "Syscall6", "RawSyscall", "RawSyscall6")
CASES = ("read", "close_ebadf", "enosys")
ALL = {f"{s}_{c}" for s in STUBS for c in CASES}

# (file, a pattern matching once in it, its replacement, goldens expected to fail, what
# their message must say at the step)
PATCHES = {
    # the SYSCALL hook no longer sets R11 (it keeps its value): every stub executes SYSCALL
    "r11": ("emu/cpu/machine.py", r"self\._sysret\.write\(\(ret, rcx, r11\)\)",
            'self._sysret.write((ret, rcx, self.uc.reg_read(REG_IDS["r11"])))',
            ALL, "r11 0x0→0x202 in the golden; unchanged in this run"),
    # the runtime model stops emitting Go's GoSysCall trace event: only Syscall and Syscall6
    # call entersyscall; RawSyscall* do not, so their goldens must still pass
    "gosyscall-event": ("emu/bridge/runtime.py", r"( +)def traceev\(self, name\b.*\):\n",
                        r"\g<0>\1    if name == 'GoSysCall':\n\1        return\n",
                        {f"{s}_{c}" for s in ("Syscall", "Syscall6") for c in CASES},
                        "the golden: 'Go trace event GoSysCall g=g1'; this run: "),
}


def copy_project(dst):
    skip = shutil.ignore_patterns("__pycache__", "*.trace.new", ".*")
    for d in ("asm", "emu", "runtime_py", "tests/golden"):
        shutil.copytree(ROOT / d, dst / d, ignore=skip)
    (dst / "tests" / "trace").mkdir(parents=True)
    for f in ("conftest.py", "tracehelp.py", "test_project_goldens.py"):
        shutil.copy(ROOT / "tests" / "trace" / f, dst / "tests" / "trace" / f)
    (dst / "pytest.ini").write_text("[pytest]\n")          # the copy is the rootdir


def step_with(name: str, text: str) -> int:
    """The step of a golden after which ``text`` appears (the SYSCALL, the entersyscall RET)."""
    trace = read_text(GOLDEN / f"{name}.trace")
    return next(s.n for s in trace.steps if any(text in t for t in s.after_text()))


def snapshot(d):
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


@pytest.mark.parametrize("patch", PATCHES)
def test_one_change_fails_exactly_the_affected_goldens(patch, tmp_path):
    path, old, new, expected, says = PATCHES[patch]
    before = snapshot(GOLDEN)
    copy = tmp_path / "copy"
    copy_project(copy)
    patched, n = re.subn(old, new, (copy / path).read_text())
    assert n == 1, f"{path} no longer has the line this test changes: update PATCHES"
    (copy / path).write_text(patched)

    xml = tmp_path / "report.xml"
    run = pytest_in(copy, "tests/trace/test_project_goldens.py", "-k", "test_golden and not world", f"--junitxml={xml}",
                    env={"PYTHONPATH": str(copy)})
    assert run.returncode == 1, run.stdout + run.stderr
    failed = {}
    for case in ET.parse(xml).iter("testcase"):
        failure = case.find("failure")
        name = re.fullmatch(r"test_golden\[(\w+)-(\w+)\]", case.get("name"))
        if failure is not None:
            failed[f"{name[1]}_{name[2]}"] = failure.text
    assert set(failed) == expected
    for name, message in failed.items():
        marker = "⇒ kernel" if patch == "r11" else "GoSysCall"
        step = step_with(name, marker)
        assert f"tests/golden/{name}.trace differs from this run — step {step}: " in message
        assert says in message
        assert (copy / "tests" / "golden" / f"{name}.trace.new").exists()
    assert snapshot(GOLDEN) == before                       # the real goldens: not a byte changed
