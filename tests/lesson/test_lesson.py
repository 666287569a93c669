"""`gosyscall explain`: the whole path as a lesson, in text, Markdown and one HTML page."""
import json
import re

from emu.cli.main import main


def explain(capsys, *argv):
    assert main(["explain", "--no-color", *argv]) == 0
    return capsys.readouterr().out


def test_text_walks_every_instruction_with_its_go_line(capsys):
    out = explain(capsys)
    steps = re.findall(r"^Step (\d+)  (0x[0-9a-f]+)", out, re.M)
    assert [int(n) for n, _ in steps] == list(range(1, 20))
    syscall = out[out.index("Step 11 "):out.index("Step 12 ")]
    assert "SYSCALL  (asm_linux_amd64.s:26)" in syscall
    assert "Enter the kernel." in syscall
    assert "rax 0x0 → 0x20; rcx 0x0 → 0x401030; r11 0x0 → 0x202" in syscall
    assert 'Event      ⇐ read(3, "Hello from the emulated kernel!\\n", 64) = 32' in syscall
    step3 = out[out.index("Step 3 "):out.index("Step 4 ")]
    assert "g1 _Grunning → _Gsyscall" in step3 and "Runtime    g1 _Gsyscall · p0 _Psyscall" in step3
    assert out.rstrip().endswith("result: r1 = 32, r2 = 64, err = 0   (as Go's caller reads them from the frame)")


def test_a_named_syscall_gets_an_example_call(capsys):
    out = explain(capsys, "write", "--format", "markdown")
    assert out.startswith("# Lesson: write through syscall.Syscall (go1.10)")
    assert "| rax | `0x1` | `0xe` |" in out                # 14 bytes written
    assert "## Step 11: `SYSCALL`" in out


def test_html_is_one_self_contained_page(capsys, tmp_path):
    target = tmp_path / "lesson.html"
    assert main(["explain", "--format", "html", "-o", str(target)]) == 0
    assert "wrote html lesson (19 steps)" in capsys.readouterr().err
    page = target.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)      # nothing fetched
    assert "<link" not in page and "@import" not in page
    blob = re.search(r'<script id="lesson-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(blob)
    assert len(data["steps"]) == 19
    assert data["steps"][10]["changed"] == ["rax", "rcx", "r11", "rip"]
    assert data["steps"][10]["after"]["rcx"] == "0x401030"


def test_bad_format_is_one_line(capsys):
    assert main(["explain", "--format", "pdf"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gosyscall: argument --format: invalid choice") and err.count("\n") == 1
