"""emu/errors.py — the errors a user can meet, each printable as one line."""


class GosyscallError(Exception):
    """Anything the CLI reports as ``gosyscall: <message>`` with a non-zero exit."""

    exit_code = 2


class GuestFault(GosyscallError):
    """The guest touched memory it may not (or ran an instruction that traps).

    ``signal`` names what Linux would deliver to the process for it (``SIGSEGV`` for a bad
    access or a #GP, ``SIGILL`` for #UD, ...), or None when it is no CPU exception."""

    exit_code = 3

    def __init__(self, message: str, signal: str | None = None):
        super().__init__(message)
        self.signal = signal


class BudgetExceeded(GosyscallError):
    """The run used up its instruction or virtual-time budget."""

    exit_code = 4


class StrictViolation(GosyscallError):
    """``--strict``: the guest made a syscall the kernel model does not implement."""

    exit_code = 5
