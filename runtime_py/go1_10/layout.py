"""runtime_py/go1_10/layout.py: go1.10 linux/amd64 byte offsets of what guest code can see.

Guest code finds its g through TLS (FS:-8 = m.tls[0]) and compares SP with g.stackguard0; the
emulator mirrors the model's fields into guest memory at these offsets. Offsets are computed by
hand from go1.10 runtime2.go (every field before atomicstatus is an 8-byte word on amd64), and
agree up to goid (152) with the compiler's go_asm.h offsets of go1.18, which has the same
fields there; after goid go1.10's order (waitsince, waitreason string, schedlink) is its own.
"""

from __future__ import annotations

from runtime_py.gstruct import GStruct

# g field -> (offset, size in bytes). From go1.10 runtime2.go `type g struct`, in order.
G_FIELDS: dict[str, tuple[int, int]] = {
    "stack.lo": (0, 8),  # stack stack {lo, hi uintptr}
    "stack.hi": (8, 8),
    "stackguard0": (16, 8),  # uintptr; offset known to liblink (the prologue's CMPQ SP, 16(g))
    "stackguard1": (24, 8),  # uintptr; offset known to liblink
    "_panic": (32, 8),  # *_panic
    "_defer": (40, 8),  # *_defer
    "m": (48, 8),  # *m
    "sched.sp": (56, 8),  # sched gobuf {sp, pc, g, ctxt, ret, lr, bp}: 7 words
    "sched.pc": (64, 8),
    "sched.g": (72, 8),
    "sched.ctxt": (80, 8),
    "sched.ret": (88, 8),
    "sched.lr": (96, 8),
    "sched.bp": (104, 8),
    "syscallsp": (112, 8),  # uintptr
    "syscallpc": (120, 8),  # uintptr
    "stktopsp": (128, 8),  # uintptr
    "param": (136, 8),  # unsafe.Pointer
    "atomicstatus": (144, 4),  # uint32
    "stackLock": (148, 4),  # uint32
    "goid": (152, 8),  # int64
    "waitsince": (160, 8),  # int64
    "waitreason": (168, 16),  # string {ptr, len}
    "schedlink": (184, 8),  # guintptr
    "preempt": (192, 1),  # bool
    "paniconfault": (193, 1),  # bool
    "preemptscan": (194, 1),  # bool
    "gcscandone": (195, 1),  # bool
    "gcscanvalid": (196, 1),  # bool
    "throwsplit": (197, 1),  # bool
    "raceignore": (198, 1),  # int8
    "sysblocktraced": (199, 1),  # bool
    "sysexitticks": (200, 8),  # int64 (then traceseq 208, tracelastp 216)
    "lockedm": (224, 8),  # muintptr
}

# An upper bound on sizeof(g) (hand-computed: the fields above end at 232; sig, writebuf,
# sigcode0/1, sigpc, gopc, startpc, racectx, waiting, cgoCtxt, labels, timer, selectDone and
# gcAssistBytes follow). The guest only needs the fields above; this is the size to reserve.
SIZEOF_G = 0x180

# m and p offsets (go1.10, hand-computed from runtime2.go `type m` / `type p`).
M_G0 = 0
M_TLS = 136  # tls [6]uintptr. FS base = &m.tls[0] + 8, so FS:-8 is m.tls[0] = the current g.
M_CURG = 192
M_P = 208
M_NEXTP = 216
M_LOCKS = 256  # int32
P_STATUS = 12  # uint32 (after lock mutex 0 and id int32 8)
P_SCHEDTICK = 24  # uint32
P_SYSCALLTICK = 28  # uint32
P_M = 64  # muintptr

# Fields holding a pointer (the model holds an object or None; the guest an address), the Go
# string {ptr, len} of waitreason, and Go's signed fields; every other field is unsigned.
G = GStruct(G_FIELDS,
            pointers=("_panic", "_defer", "m", "sched.g", "sched.ctxt", "param", "schedlink",
                      "lockedm"),
            strings=("waitreason",),
            signed=("goid", "waitsince", "sysexitticks", "raceignore"))   # Go int64/int8
G_STRUCT = G.struct                          # packs g_values(): the guest's view of g
g_values = G.values
g_words = G.words
