"""The project's own golden traces (tests/golden/): every go1.10 stub × success, error, unknown.

Adding a golden is one line: a case below (the words of `gosyscall run`), or, for a run
recorded some other way (a scenario), ``gosyscall_golden.check(name, events, header)``.
Regenerate after an intended change with ``pytest tests/trace --gosyscall-update``, or
review the pending ``.trace.new`` files with ``gosyscall review tests/golden``.
"""
import pytest

STUBS = ("Syscall", "Syscall6", "RawSyscall", "RawSyscall6")
CASES = {
    "read": "read fd:/hello.txt buf:64 64",     # success: the seed's file.Read
    "close_ebadf": "close -1",                  # error: EBADF
    "enosys": "999",                            # unknown syscall: ENOSYS
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("stub", STUBS)
def test_golden(gosyscall_golden, stub, case):
    gosyscall_golden.run(f"{stub}_{case}", f"{CASES[case]} --stub {stub}")
