"""``gosyscall verify --profile``: the register-ABI releases' compiled path on the real CPU."""
import pytest

from emu import profile
from emu.verify.cases import CASES
from emu.verify.compare import run_case

REGISTER_ABI = [n for n in profile.names() if profile.load(n).register_abi]


@pytest.mark.parametrize("name", REGISTER_ABI)
def test_every_entry_point_and_path_is_identical_to_the_native_run(native, name):
    for stub in profile.load(name).entry_points:
        for case in CASES:
            r = run_case(case.words, stub, name)
            assert r.identical, (name, stub, case.name, r.diff, r.native_end, r.emulated_end)
            assert len(r.native) == len(r.emulated) > 20        # the compiled path is longer
            expected = {"ENOSYS": 38, "EFAULT": 14, "error (EBADF)": 9}.get(case.path, 0)
            assert r.frame[0] == r.frame[1] and r.frame[1][2] == expected


def test_register_abi_profiles_are_checked():
    assert {"go1.22", "go1.27"} <= set(REGISTER_ABI)
