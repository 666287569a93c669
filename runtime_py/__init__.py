"""runtime_py: a Python model of the Go runtime's scheduler, one package per Go release.

Standard library only. `profiles.load("go1.10")` returns the profile module; its `Runtime`
class is the model. `Observer` (observe.py) is how a caller watches it; `Throw` (throw.py) is
what a broken invariant raises.
"""

from runtime_py.observe import Observer, Recorder
from runtime_py.profiles import PROFILES, load
from runtime_py.throw import Throw, throw

__all__ = ["Observer", "Recorder", "PROFILES", "load", "Throw", "throw"]
