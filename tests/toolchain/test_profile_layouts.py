"""The runtime profiles' g, m, p and schedt offsets are the real toolchain's (its DWARF).

The emulator mirrors the model's g into guest memory at these offsets, so `x/…` on g shows
the release's own layout; here each offset a profile uses is checked against a probe built
by that release's toolchain.
"""
import types

import pytest

from emu.toolchain import check
from runtime_py.profiles import load

RELEASES = {"go1.22": "1.22.10", "go1.27": "1.27.3"}
STRUCTS = (("M", "runtime.m"), ("P", "runtime.p"), ("SCHED", "runtime.schedt"))


def expected(layout, prefix: str) -> dict:
    """A profile's offsets of one struct: its ``M_FIELDS``-style table, else its constants."""
    table = getattr(layout, f"{prefix}_FIELDS", None)
    if table is not None:
        return dict(table)
    return {k: v for k, v in check.constants_layout(layout, f"{prefix}_").items() if not k.startswith("fields")}


@pytest.mark.parametrize("profile", RELEASES)
def test_the_profiles_offsets_are_the_toolchains(go, profile):
    layout = load(profile).layout
    binary = go.binary(RELEASES[profile])
    problems = check.check_layout(layout.G_FIELDS, binary, "runtime.g")
    for prefix, struct in STRUCTS:
        problems += check.check_layout(expected(layout, prefix), binary, struct)
    assert problems == [], "\n".join(map(str, problems))
    assert layout.SIZEOF_G >= max(off + size for off, size in layout.G_FIELDS.values())


def test_a_profile_with_one_wrong_offset_fails(go):
    """Proved on a copy of go1.22's table: one moved field is reported by name."""
    layout = load("go1.22").layout
    bad = dict(layout.G_FIELDS, syscallsp=(layout.G_FIELDS["syscallsp"][0] + 8, 8))
    problems = check.check_layout(bad, go.binary("1.22.10"), "runtime.g")
    assert [m.where for m in problems] == ["runtime.g.syscallsp"]
    moved = types.SimpleNamespace(**{k: v for k, v in vars(load("go1.27").layout).items() if k.startswith("M_")})
    moved.M_OLDP += 8
    assert [m.where for m in check.check_layout(check.constants_layout(moved, "M_"), go.binary("1.27.3"),
                                                "runtime.m")] == ["runtime.m.oldp"]
