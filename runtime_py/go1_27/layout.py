"""runtime_py/go1_27/layout.py: go1.27.3 linux/amd64 byte offsets of what guest code can see.

Guest code finds its g in R14 (ABIInternal) or through TLS (FS:-8 = m.tls[0]) and compares SP
with g.stackguard0 (the prologue's CMPQ SP, 16(R14)); the emulator mirrors the model's fields
into guest memory at these offsets.

Where the numbers come from: the DWARF of a static linux/amd64 binary built by the go1.27.3
toolchain (CGO_ENABLED=0 go build of a program calling syscall.Syscall), read with pyelftools:
DW_AT_data_member_location of each member of runtime.g (DW_AT_byte_size 456), runtime.m
(1832), runtime.p (15920), runtime.gobuf (48), runtime.sysmontick (24) and runtime.schedt.
They agree with the compiler's go_asm.h numbers in the project's reference notes (facts §3.4:
schedlink 160, waitsince 168, waitreason 176, preempt 177, throwsplit 183, lockedm 208,
sizeof(g) 456; m.tls 128, m.curg 184, m.p 208, m.oldp 224, m.locks 264, m.syscalltick 788;
p.status 4, p.m 48). The field list and order are runtime2.go's (go1.27.3 lines 471-930).
"""

from __future__ import annotations

from runtime_py.gstruct import GStruct

# g field -> (offset, size in bytes). From go1.27.3 runtime2.go `type g struct`, in order.
G_FIELDS: dict[str, tuple[int, int]] = {
    "stack.lo": (0, 8),  # stack stack {lo, hi uintptr}
    "stack.hi": (8, 8),
    "stackguard0": (16, 8),  # uintptr; offset known to cmd/internal/obj (CMPQ SP, 16(R14))
    "stackguard1": (24, 8),  # uintptr
    "_panic": (32, 8),  # *_panic
    "_defer": (40, 8),  # *_defer
    "m": (48, 8),  # *m
    "sched.sp": (56, 8),  # sched gobuf {sp, pc, g, ctxt, lr, bp}: 6 words since go1.25
    "sched.pc": (64, 8),
    "sched.g": (72, 8),
    "sched.ctxt": (80, 8),
    "sched.lr": (88, 8),
    "sched.bp": (96, 8),
    "syscallsp": (104, 8),  # uintptr
    "syscallpc": (112, 8),  # uintptr
    "syscallbp": (120, 8),  # uintptr (go1.23+)
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
    "throwsplit": (183, 1),  # bool
    "raceignore": (188, 1),  # int8
    "lockedm": (208, 8),  # muintptr
    "parentGoid": (280, 8),  # uint64
    "gopc": (288, 8),  # uintptr
    "startpc": (304, 8),  # uintptr
}

SIZEOF_G = 456  # DWARF DW_AT_byte_size of runtime.g

# m offsets (DWARF of runtime.m).
M_G0 = 0
M_PROCID = 64
M_TLS = 128  # tls [6]uintptr. FS base = &m.tls[0] + 8, so FS:-8 is m.tls[0] = the current g.
M_CURG = 184
M_P = 208
M_NEXTP = 216
M_OLDP = 224  # the P the M had when its goroutine entered the syscall
M_ID = 232  # int64
M_LOCKS = 264  # int32
M_SPINNING = 276  # bool
M_BLOCKED = 277  # bool
M_PARK = 344  # note
M_SYSCALLTICK = 788  # uint32
SIZEOF_M = 1832

# p offsets (DWARF of runtime.p).
P_ID = 0  # int32
P_STATUS = 4  # uint32
P_LINK = 8
P_SCHEDTICK = 16  # uint32
P_SYSCALLTICK = 20  # uint32
P_SYSMONTICK = 24  # sysmontick {schedtick, syscalltick uint32; schedwhen, syscallwhen int64}
P_M = 48  # muintptr
P_RUNQHEAD = 400  # uint32
P_RUNQTAIL = 404  # uint32
P_RUNQ = 408  # [256]guintptr
P_RUNNEXT = 2456  # guintptr

# sched (schedt) offsets (DWARF of runtime.schedt).
SCHED_NMIDLE = 64
SCHED_NGSYSCALLNOP = 100
SCHED_PIDLE = 104
SCHED_NPIDLE = 112
SCHED_NMSPINNING = 116
SCHED_GCWAITING = 264
SCHED_STOPWAIT = 268
SCHED_SYSMONWAIT = 280

# Fields holding a pointer (the model holds an object or None; the guest an address) and
# Go's signed fields; every other field is unsigned. waitreason is a uint8 since go1.11.
G = GStruct(G_FIELDS,
            pointers=("_panic", "_defer", "m", "sched.g", "sched.ctxt", "param", "schedlink",
                      "lockedm"),
            signed=("waitsince", "raceignore"))  # Go int64 / int8
G_STRUCT = G.struct  # packs g_values(): the guest's view of g
g_values = G.values
g_words = G.words
