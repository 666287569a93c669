"""Smaller things a user tripped on, outside the REPL (hardening round 2)."""
import pytest

from emu.cli.main import main


def test_diff_on_a_chrome_trace_says_what_diff_reads(tmp_path, capsys):
    c, t = tmp_path / "c.json", tmp_path / "t.trace"
    assert main(["trace", "getpid", "--format", "chrome", "-o", str(c)]) == 0
    assert main(["trace", "getpid", "-o", str(t)]) == 0
    capsys.readouterr()
    assert main(["diff", str(c), str(t)]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "a Chrome trace-event file: diff reads the jsonl and text formats")


def test_an_unmodelled_syscall_names_its_parameters(capsys):
    assert main(["run", "mmap", "0", "4096", "3", "0x22", "-1", "0", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "⇒ kernel: mmap(addr=0, length=0x1000, prot=3, flags=0x22, fd=0xffffffffffffffff, offset=0)" in out
    assert main(["run", "munmap", "0x1000", "4096", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "⇒ kernel: munmap(addr=0x1000, length=0x1000)" in out and "⇐ munmap(0x1000, 0x1000) = -1 ENOSYS" in out
    assert main(["run", "400", "--no-color"]) == 0                   # no name: six raw values
    assert "syscall_400(arg0=0, arg1=0, arg2=0, arg3=0, arg4=0, arg5=0)" in capsys.readouterr().out


def test_gosyscall_syscalls_lists_the_modelled_calls(capsys):
    from emu.kernel.table import TABLE
    assert main(["syscalls"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["nr", "name", "blocks", "arguments"]
    assert len(lines) == len(TABLE) + 2
    assert any(line.split()[:3] == ["0", "read", "yes"] for line in lines)
    assert lines[-1].startswith(f"{len(TABLE)} of the ") and "-ENOSYS" in lines[-1]


def test_the_raw_variant_says_what_its_retake_count_is(capsys):
    assert main(["scenario", "threads", "--variant", "raw", "--n", "1", "--gomaxprocs", "2",
                 "--duration", "2ms"]) == 0
    out = capsys.readouterr().out
    assert "Ps are never retaken" not in out and "counts main's own Syscall sleep" in out


def test_block_says_which_times_are_relative_and_which_absolute(capsys):
    assert main(["scenario", "block", "--block", "30us", "--runnable", "0", "--gomaxprocs", "1"]) == 0
    out = capsys.readouterr().out
    assert "the table's times count from main's entersyscall" in out
    assert "what happened, in order (virtual time since the program started; main's entersyscall at " in out


def test_the_lesson_shows_what_the_kernel_wrote_at_a_read(tmp_path):
    from emu.lesson.build import build_lesson
    from emu.lesson.render import render
    from emu.bridge.session import Session
    s = Session()
    fd = s.open_for_setup("/hello.txt")
    buf = s.alloc(64)
    lesson = build_lesson(s, "Syscall", 0, [fd, buf, 64], [])
    step = next(st for st in lesson.steps if st.intel == "syscall")
    assert step.kernel_mem == [(buf, b"Hello from the emulated kernel!\n".hex())]
    page = render(lesson, "html")
    assert "by the kernel: 32 bytes at 0xc000040000" in page
    assert "Memory     by the kernel: 32 bytes" in render(lesson, "text")


def test_the_threads_plot_uses_log_axes_distinct_styles_and_an_outside_legend(tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from emu.world import report
    made = []
    real = plt.subplots

    def spy(*a, **k):
        fig, ax = real(*a, **k)
        made.append(ax)
        return fig, ax
    monkeypatch.setattr(plt, "subplots", spy)
    runs = [{"variant": "read", "n": n, "gomaxprocs": p, "m_series": [(1000, 2), (50_000 * n, n + 3)],
             "end_ns": 10_000_000, "t_peak_ns": 50_000 * n} for n in (1, 10, 100) for p in (1, 2)]
    report.plot_m_counts(str(tmp_path / "p.png"), runs, "t")
    ax = made[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    styles = {(line.get_color(), line.get_linestyle()) for line in ax.get_lines()}
    assert len(styles) == len(runs)
    legend = ax.get_legend()
    assert legend._bbox_to_anchor is not None and legend._bbox_to_anchor.x0 > ax.bbox.x1 - 1
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_a_new_m_is_not_shown_as_m0_before_it_has_an_id():
    from emu.bridge.runtime import describe
    from runtime_py.go1_10.runtime2 import g, m
    fresh, m0 = m(), m()
    m0.g0 = g()
    assert (describe(fresh), describe(m0)) == ("m(new)", "m0")
