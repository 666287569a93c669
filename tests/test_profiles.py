"""emu/profile.py: every supported release pairs its runtime model with its code."""
import pytest

from emu import profile


@pytest.mark.parametrize("name", profile.names())
def test_each_profile_has_code_and_a_model_that_fit_the_address_map(name):
    from emu.cpu import layout as L
    prof = profile.load(name)
    assert prof.entry_points and all(n.startswith("syscall.") and n in prof.stubs for n in prof.entry_points)
    assert prof.model.GO_VERSION == name
    assert L.G1 + prof.layout.SIZEOF_G <= L.HEAP_ARENA + L.HEAP_ARENA_SIZE
    assert L.g_stride(prof.layout.SIZEOF_G) >= prof.layout.SIZEOF_G


def test_an_unknown_profile_names_the_supported_ones():
    with pytest.raises(ValueError, match="supported: go1.10"):
        profile.load("go1.99")


def test_the_default_is_supported():
    assert profile.DEFAULT in profile.names()
