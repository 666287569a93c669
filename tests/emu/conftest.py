import pytest

from emu.bridge.session import Session
from emu.trace.tracer import Tracer


@pytest.fixture
def session():
    return Session()


@pytest.fixture
def traced():
    s = Session()
    s.machine.attach_tracer(Tracer(s.machine))
    return s
