"""tests/conftest.py — Hypothesis profiles for the whole suite.

``default`` keeps the normal run fast; ``long`` tries thousands of inputs per property:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/props tests/sandbox -q

Tests that set ``max_examples`` themselves keep their own count; tests/props scale theirs
from the loaded profile (``settings().max_examples``).

The ``go`` fixture gives real Go toolchains to the tests that need one (tests/toolchain,
tests/binary): ``go.binary(v)`` is the probe built with Go ``v``, read; ``go.toolchain(v)``
the toolchain, found or installed once into the user's cache. Where none can be found or
installed (no network, or ``GOSYSCALL_NO_INSTALL=1``), those tests skip and say why.
"""
import os

import pytest
from hypothesis import HealthCheck, settings

from emu.toolchain import build, install
from emu.toolchain.errors import ToolchainError
from emu.toolchain.gobinary import GoBinary

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile("long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))



class Go:
    def __init__(self):
        self._tc, self._bin, self._why = {}, {}, {}

    def toolchain(self, version):
        if version in self._why:
            pytest.skip(self._why[version])
        if version not in self._tc:
            tc = install.find(version)
            if tc is None and os.environ.get("GOSYSCALL_NO_INSTALL"):
                self._why[version] = f"Go {version} is not installed and GOSYSCALL_NO_INSTALL is set"
                pytest.skip(self._why[version])
            if tc is None:
                try:
                    tc = install.install(version).toolchain
                except ToolchainError as e:
                    self._why[version] = f"no Go {version} toolchain could be installed: {e}"
                    pytest.skip(self._why[version])
            self._tc[version] = tc
        return self._tc[version]

    def probe(self, version):
        return build.probe(version, toolchain=self.toolchain(version))

    def binary(self, version):
        if version not in self._bin:
            self._bin[version] = GoBinary(self.probe(version))
        return self._bin[version]

    def patched(self, tmp_path, offset, data, name="bad"):
        """A copy of the go1.22.10 probe with ``data`` written at ``offset`` (or, for a bytes
        ``offset``, in place of every occurrence of it)."""
        raw = bytearray(open(self.probe("1.22.10"), "rb").read())
        if isinstance(offset, bytes):
            assert offset in raw
            raw = bytearray(bytes(raw).replace(offset, data))
        else:
            raw[offset:offset + len(data)] = data
        path = tmp_path / name
        path.write_bytes(bytes(raw))
        return str(path)

    def build(self, version, source, name, flags=(), env=None):
        return build.build_cached({"main.go": source}, version, name, flags, env,
                                  toolchain=self.toolchain(version))


@pytest.fixture(scope="session")
def go():
    return Go()
