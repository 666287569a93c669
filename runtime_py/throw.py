"""runtime_py/throw.py: Go's throw() for the model.

Go prints details with print("runtime: ...") and then calls throw with a constant message; the
process dies. The model raises Throw instead: `.msg` is Go's constant message, `.detail` what Go
would have printed just before it. Never use assert for runtime invariants: `python -O` strips it.
"""

from typing import NoReturn


class Throw(RuntimeError):
    """A fatal runtime error (Go: throw). msg is the constant message, detail the printed lines."""

    def __init__(self, msg: str, detail: str = ""):
        super().__init__(msg)
        self.msg = msg
        self.detail = detail

    def __str__(self) -> str:
        if self.detail:
            return f"{self.detail.rstrip()}\nfatal error: {self.msg}"
        return f"fatal error: {self.msg}"


def throw(msg: str, *detail: object) -> NoReturn:
    """Raise Throw(msg). detail: the pieces Go would print() first, concatenated like print does."""
    raise Throw(msg, "".join(str(d) for d in detail))


def hex_(v: int | None) -> str:
    """Go's hex() for print: 0x-prefixed lower-case hex; None prints as 0x0."""
    return hex(v or 0)
