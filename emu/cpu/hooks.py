"""emu/cpu/hooks.py — the two hot hooks registered straight with the C library.

The public binding wraps every callback in Python layers (an exception guard, argument
re-packing); a callback registered through ``uclib.uc_hook_add`` with a plain ctypes
function type costs about half as much (bench/run.py's two floor rows measure the same
do-nothing hooks both ways: about 0.54 M vs 1.08 M calls/s). This uses the binding's
private ``uclib``, ``_uch`` and ``_callbacks`` (unicorn 2.1.4, pinned); when any is missing
it falls back to the public ``hook_add`` with the same behaviour; ``fast_available`` says which path is in use. Every
exception a callback raises goes to the caller's ``fail`` (the machine stores it, stops the
CPU and re-raises it once ``emu_start`` returns).
"""
from __future__ import annotations

import ctypes

from unicorn import UC_HOOK_BLOCK, UC_HOOK_CODE, UC_HOOK_INSN
from unicorn.x86_const import UC_X86_INS_SYSCALL

try:
    from unicorn.unicorn_py3.arch.types import uc_hook_h as _uc_hook_h
    from unicorn.unicorn_py3.unicorn import uclib as _uclib
except ImportError:     # pragma: no cover - another binding layout
    _uclib = None

_CODE_CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_void_p)
_SYSCALL_CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)


def fast_available(uc) -> bool:
    return _uclib is not None and getattr(uc, "_uch", None) is not None and hasattr(uc, "_callbacks")


def _add(uc, htype: int, cfn, begin: int, end: int, *extra) -> int:
    handle = _uc_hook_h()
    status = _uclib.uc_hook_add(uc._uch, ctypes.byref(handle), htype, cfn, None,
                                ctypes.c_uint64(begin), ctypes.c_uint64(end), *extra)
    if status != 0:
        from unicorn import UcError
        raise UcError(status)
    uc._callbacks[handle.value] = cfn         # keep the C function alive; hook_del drops it
    return handle.value


def _guarded(fn, fail):
    """``fn`` with every exception handed to ``fail`` (which stops the CPU): an exception must
    never leave a ctypes callback, where Python would print it and carry on."""
    def call(*args):
        try:
            fn(*args)
        except BaseException as e:       # KeyboardInterrupt and BrokenPipeError included
            fail(e)
    return call


def add_code_hook(uc, fn, begin: int, end: int, fail) -> int:
    """``fn(address, size)`` before each instruction in [begin, end]; errors go to ``fail``."""
    g = _guarded(fn, fail)
    if fast_available(uc):
        return _add(uc, UC_HOOK_CODE, _CODE_CB(lambda _h, addr, size, _u: g(addr, size)), begin, end)
    return uc.hook_add(UC_HOOK_CODE, lambda _uc, addr, size, _u: g(addr, size), None, begin, end)


def add_block_hook(uc, fn, fail) -> int:
    """``fn(address, size)`` at the start of every translated block; errors go to ``fail``."""
    g = _guarded(fn, fail)
    if fast_available(uc):
        return _add(uc, UC_HOOK_BLOCK, _CODE_CB(lambda _h, addr, size, _u: g(addr, size)), 1, 0)
    return uc.hook_add(UC_HOOK_BLOCK, lambda _uc, addr, size, _u: g(addr, size), None, 1, 0)


def add_syscall_hook(uc, fn, fail) -> int:
    """``fn()`` at every SYSCALL instruction (RIP still points at it); errors go to ``fail``."""
    g = _guarded(fn, fail)
    if fast_available(uc):
        return _add(uc, UC_HOOK_INSN, _SYSCALL_CB(lambda _h, _u: g()), 1, 0, ctypes.c_int(UC_X86_INS_SYSCALL))
    return uc.hook_add(UC_HOOK_INSN, lambda _uc, _u: g(), None, 1, 0, UC_X86_INS_SYSCALL)
