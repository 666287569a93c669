"""emu/verify — ``gosyscall verify``: the emulated stubs compared with this machine's CPU.

``native.py`` builds and drives the C ptrace runner; ``cases.py`` the built-in calls and the
descriptors both sides see; ``compare.py`` runs one case both ways and finds the first
difference; ``report.py`` prints it.
"""
