"""A wall-clock deadline for one property example: running past it fails the example as a hang."""
from __future__ import annotations

import contextlib
import signal

import pytest


class Hang(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` in the code swallows it."""


def _alarm(signum, frame):
    raise Hang()


@contextlib.contextmanager
def deadline(seconds: float, what):
    """Run the block under SIGALRM; ``what`` (a string, or a function giving one) names it."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Hang:
        pytest.fail(f"{what() if callable(what) else what} ran for more than {seconds} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
