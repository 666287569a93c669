import pytest

from emu.session import Session
from emu.tracer import Tracer


@pytest.fixture
def session():
    return Session()


@pytest.fixture
def traced():
    s = Session()
    s.machine.attach_tracer(Tracer(s.machine))
    return s
