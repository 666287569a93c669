"""runtime_py/profiles.py: the Go releases this model supports, by profile name."""

import importlib
from types import ModuleType

# profile name -> module holding that release's model (its Runtime class, structs, layout).
PROFILES: dict[str, str] = {"go1.10": "runtime_py.go1_10", "go1.22": "runtime_py.go1_22",
                            "go1.27": "runtime_py.go1_27"}


def load(name: str) -> ModuleType:
    """Return the module of profile `name` (e.g. "go1.10"); ValueError lists the supported ones."""
    try:
        modname = PROFILES[name]
    except KeyError:
        supported = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown Go profile {name!r}; supported: {supported}") from None
    return importlib.import_module(modname)
