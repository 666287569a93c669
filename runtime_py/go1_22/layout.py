"""runtime_py/go1_22/layout.py: go1.22.10 linux/amd64 byte offsets of what guest code can see.

Guest code finds its g in R14 (ABIInternal) or through TLS (FS:-8 = m.tls[0]) and compares
SP with g.stackguard0; the emulator mirrors the model's fields into guest memory at these
offsets.

Where the numbers come from: a static linux/amd64 program (a main calling syscall.Syscall)
built with the go1.22.10 toolchain (CGO_ENABLED=0), read two ways that agree: the
DW_AT_data_member_location of every member of runtime.g, runtime.m, runtime.p, runtime.schedt
and runtime.gobuf in its DWARF (and DW_AT_byte_size for the struct sizes), and the go_asm.h
the compiler wrote while building package runtime (-asmhdr: g__size 424, g_waitreason 176,
m_oldp 224, m_syscalltick 952, p_m 56, ...).

Changes since go1.10 a reader of x/…g will see: schedlink (160) now precedes waitsince (168);
waitreason (176) is a 1-byte enum, not a 16-byte string; preempt 177 .. throwsplit 183;
no sysblocktraced/sysexitticks; lockedm at 208; sizeof(g) = 424. m gained oldp (224); p lost
its leading lock, so p.status is at 4 and p.m at 56.
"""

from __future__ import annotations

from runtime_py.gstruct import GStruct

# g field -> (offset, size in bytes). go1.22.10 runtime2.go:422 `type g struct`, in order.
G_FIELDS: dict[str, tuple[int, int]] = {
    "stack.lo": (0, 8),  # stack stack {lo, hi uintptr}
    "stack.hi": (8, 8),
    "stackguard0": (16, 8),  # uintptr; offset known to liblink (prologue: CMPQ SP, 16(R14))
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
    "atomicstatus": (144, 4),  # atomic.Uint32
    "stackLock": (148, 4),  # uint32
    "goid": (152, 8),  # uint64
    "schedlink": (160, 8),  # guintptr
    "waitsince": (168, 8),  # int64
    "waitreason": (176, 1),  # waitReason (uint8)
    "preempt": (177, 1),  # bool
    "preemptStop": (178, 1),  # bool
    "preemptShrink": (179, 1),  # bool
    "asyncSafePoint": (180, 1),  # bool
    "paniconfault": (181, 1),  # bool
    "gcscandone": (182, 1),  # bool
    "throwsplit": (183, 1),  # bool (then activeStackChans 184 .. runnableTime 200)
    "lockedm": (208, 8),  # muintptr
    "parentGoid": (272, 8),  # uint64
    "gopc": (280, 8),  # uintptr
    "startpc": (296, 8),  # uintptr
}
SIZEOF_G = 424  # DWARF byte_size of runtime.g; go_asm.h g__size

# m, p and schedt: Go field -> (offset, size). go1.22.10 runtime2.go:550, :646, :799.
M_FIELDS: dict[str, tuple[int, int]] = {
    "g0": (0, 8), "procid": (72, 8), "tls": (136, 48), "mstartfn": (184, 8),
    "curg": (192, 8), "p": (208, 8), "nextp": (216, 8), "oldp": (224, 8), "id": (232, 8),
    "locks": (264, 4), "spinning": (276, 1), "blocked": (277, 1), "park": (320, 8),
    "alllink": (328, 8), "schedlink": (336, 8), "lockedg": (344, 8),
    "syscalltick": (952, 4),
}
SIZEOF_M = 2024
P_FIELDS: dict[str, tuple[int, int]] = {
    "id": (0, 4), "status": (4, 4), "link": (8, 8), "schedtick": (16, 4),
    "syscalltick": (20, 4), "sysmontick": (24, 32), "m": (56, 8), "mcache": (64, 8),
    "runqhead": (400, 4), "runqtail": (404, 4), "runq": (408, 2048), "runnext": (2456, 8),
    "runSafePointFn": (8856, 4), "preempt": (8936, 1),
}
SIZEOF_P = 8944
SCHED_FIELDS: dict[str, tuple[int, int]] = {
    "lastpoll": (8, 8), "lock": (24, 8), "midle": (32, 8), "nmidle": (40, 4),
    "nmidlelocked": (44, 4), "mnext": (48, 8), "nmsys": (60, 4), "pidle": (80, 8),
    "npidle": (88, 4), "nmspinning": (92, 4), "needspinning": (96, 4), "runq": (104, 16),
    "runqsize": (120, 4), "gcwaiting": (232, 1), "stopwait": (236, 4),
    "sysmonwait": (248, 1), "sysmonnote": (256, 8), "sysmonlock": (312, 8),
}

M_G0 = M_FIELDS["g0"][0]
M_TLS = M_FIELDS["tls"][0]  # tls [6]uintptr. FS base = &m.tls[0] + 8: FS:-8 is m.tls[0] = g.
M_CURG = M_FIELDS["curg"][0]
M_P = M_FIELDS["p"][0]
M_NEXTP = M_FIELDS["nextp"][0]
M_OLDP = M_FIELDS["oldp"][0]
M_ID = M_FIELDS["id"][0]
M_LOCKS = M_FIELDS["locks"][0]  # int32
M_SYSCALLTICK = M_FIELDS["syscalltick"][0]  # uint32
P_STATUS = P_FIELDS["status"][0]  # uint32
P_SCHEDTICK = P_FIELDS["schedtick"][0]  # uint32
P_SYSCALLTICK = P_FIELDS["syscalltick"][0]  # uint32
P_SYSMONTICK = P_FIELDS["sysmontick"][0]
P_M = P_FIELDS["m"][0]  # muintptr

# Fields holding a pointer (the model holds an object or None; the guest an address) and
# Go's signed fields; every other field is unsigned. No string field is left in go1.22's g.
G = GStruct(G_FIELDS,
            pointers=("_panic", "_defer", "m", "sched.g", "sched.ctxt", "param", "schedlink",
                      "lockedm"),
            signed=("waitsince",))  # Go int64
G_STRUCT = G.struct  # packs g_values(): the guest's view of g
g_values = G.values
g_words = G.words
