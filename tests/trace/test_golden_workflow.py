"""The golden workflow a user sees: the plugin (by entry point), --gosyscall-update, pending
.trace.new files and `gosyscall review` — run as a user would, in a fresh project."""
import pytest
from tracehelp import gosyscall_in, pytest_in

# The README's snippet, as a user's test file.
SNIPPET = '''\
def test_read_hello(gosyscall_golden):
    gosyscall_golden.run("read_hello", "read fd:/hello.txt buf:64 64")

def test_close_bad_fd(gosyscall_golden):
    gosyscall_golden.run("close_ebadf", "close -1 --stub RawSyscall")
'''


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_syscalls.py").write_text(SNIPPET)
    return tmp_path


def goldens(project):
    return sorted(p.name for p in (project / "tests" / "golden").glob("*"))


def test_missing_goldens_fail_and_are_written_only_with_the_flag(project):
    first = pytest_in(project)
    assert first.returncode == 1 and "2 failed" in first.stdout
    assert "no golden trace tests/golden/read_hello.trace yet" in first.stdout
    assert "pending: tests/golden/read_hello.trace.new" in first.stdout
    assert "Traceback" not in first.stdout and "During handling" not in first.stdout
    assert "review them with `gosyscall review tests/golden`" in first.stdout
    assert goldens(project) == ["close_ebadf.trace.new", "read_hello.trace.new"]   # no golden written

    update = pytest_in(project, "--gosyscall-update")
    assert update.returncode == 0 and "gosyscall: wrote 2 golden trace(s)" in update.stdout
    assert goldens(project) == ["close_ebadf.trace", "read_hello.trace"]          # pending ones gone

    again = pytest_in(project)
    assert again.returncode == 0 and "2 passed" in again.stdout


def test_a_change_fails_with_the_first_divergence_then_review_decides(project):
    assert pytest_in(project, "--gosyscall-update").returncode == 0
    gold = project / "tests" / "golden" / "read_hello.trace"
    recorded = gold.read_text()
    # the golden as it would be had R11 not been set by SYSCALL at step 11
    old = recorded.replace("rcx 0x0→0x401030  r11 0x0→0x202", "rcx 0x0→0x401030")
    assert old != recorded
    gold.write_text(old)

    fail = pytest_in(project)
    assert fail.returncode == 1 and "1 failed, 1 passed" in fail.stdout
    assert ("tests/golden/read_hello.trace differs from this run — step 11: r11 unchanged in the "
            "golden; 0x0→0x202 in this run") in fail.stdout
    assert gold.read_text() == old                                # never overwritten without the flag
    pending = gold.with_name("read_hello.trace.new")
    assert pending.read_text() == recorded

    skip = gosyscall_in(project, "review", "tests", stdin="s\n")
    assert skip.returncode == 0 and "1 accepted" not in skip.stdout and pending.exists()
    assert "step 11: r11 unchanged in the golden; 0x0→0x202 in the pending file" in skip.stdout
    reject = gosyscall_in(project, "review", "tests", stdin="r\n")
    assert "0 accepted, 1 rejected, 0 skipped" in reject.stdout
    assert not pending.exists() and gold.read_text() == old

    assert pytest_in(project).returncode == 1                     # the pending file is back
    accept = gosyscall_in(project, "review", stdin="what\na\n")   # DIR defaults to here
    assert "'what': answer a, r or s" in accept.stdout
    assert "accepted: tests/golden/read_hello.trace" in accept.stdout
    assert gold.read_text() == recorded and not pending.exists()
    assert pytest_in(project).returncode == 0


def test_review_all_at_once_and_without_answers(project):
    assert pytest_in(project).returncode == 1                     # two new pending goldens
    eof = gosyscall_in(project, "review", "tests")                # no input at all: skip
    assert eof.returncode == 0 and "0 accepted, 0 rejected, 2 skipped" in eof.stdout
    rejected = gosyscall_in(project, "review", "tests", "--reject-all")
    assert "0 accepted, 2 rejected, 0 skipped" in rejected.stdout and goldens(project) == []
    assert pytest_in(project).returncode == 1
    accepted = gosyscall_in(project, "review", "tests", "--accept-all")
    assert "2 accepted, 0 rejected, 0 skipped" in accepted.stdout
    assert goldens(project) == ["close_ebadf.trace", "read_hello.trace"]
    nothing = gosyscall_in(project, "review", "tests")
    assert nothing.stdout == "no pending golden traces below tests\n"


def test_review_leaves_a_damaged_pending_file_alone(project):
    assert pytest_in(project).returncode == 1
    bad = project / "tests" / "golden" / "close_ebadf.trace.new"
    bad.write_text(bad.read_text()[:300])
    out = gosyscall_in(project, "review", "tests", "--accept-all")
    assert out.returncode == 2
    assert "gosyscall: tests/golden/close_ebadf.trace.new:" in out.stderr and "truncated" in out.stderr
    assert bad.exists() and goldens(project) == ["close_ebadf.trace.new", "read_hello.trace"]


def test_a_relative_asm_path_is_found_from_the_test_file(tmp_path):
    """`--asm ../stubs/mine.s` in a golden means beside the test file, whatever directory
    pytest runs from; an error names the stub with its directory."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "stubs").mkdir()
    (tmp_path / "stubs" / "mine.s").write_text("mov rax, 39\nsyscall\nret\n")
    (tmp_path / "stubs" / "bad.s").write_text("nop\nmovq rax\nret\n")
    tests = tmp_path / "tests" / "deep"
    tests.mkdir(parents=True)
    (tests / "test_mine.py").write_text(
        "def test_mine(gosyscall_golden):\n"
        "    gosyscall_golden.run('mine', 'getpid --asm ../../stubs/mine.s')\n"
        "def test_bad(gosyscall_golden):\n"
        "    gosyscall_golden.run('bad', 'getpid --asm=../../stubs/bad.s')\n")
    assert pytest_in(tmp_path, "--gosyscall-update", "-k", "not bad").returncode == 0
    elsewhere = pytest_in(tests)                         # run from another directory
    assert "1 failed, 1 passed" in elsewhere.stdout, elsewhere.stdout
    assert "stubs/bad.s:2: cannot assemble 'movq rax'" in elsewhere.stdout
