"""emu/cpu/layout.py — the fixed guest address map (the same in every run, so traces match).

    address              size     perms  what
    0x000000000000e000   0x1000   (gone) boot: the GDT and an iretq to ring 3, unmapped before any
                                         user code runs (emu/cpu/usermode.py); nothing below 64 KiB
    0x0000000000401000   0x2000   r-x    text: the profile's stubs, then the driver (main.*)
    0x000000000042c000   0x1000   r-x    runtime text: trampolines, one real RET each
    0x00000000005a0000   0x1000   rw-    runtime data: m0 (with m.tls) and g0
    0x000000c000000000   0x1000   rw-    heap arena head: the goroutine structs g1, g2, ...
    0x000000c000030000   0x1000   ---    guard page below the goroutine stack (unmapped)
    0x000000c000031000   0x8000   rw-    goroutine stack [stack.lo, stack.hi)
    0x000000c000040000   0x10000  rw-    user heap: buffers and strings for syscall arguments
    0x0000000000402000   (text)   r-x    the thread world's goroutine programs (second text page)
    0x00000000005a1000   0x2000   rw-    the thread world: program variables, funcvals, note words
    0x000000c000800000   ≤8 MiB   rw-    the thread world: g structs, mapped as goroutines appear
    0x000000c001000000   ≤8 MiB   rw-    the thread world: one block per M (m.tls, g0 scratch)
    0x000000c002000000   ≤40 MiB  rw-    the thread world: goroutine stacks, 2 KiB each

The text sits where Go's linker puts it for linux/amd64 (0x401000); goroutine structs,
stacks and buffers sit in Go's heap arena (0xc000000000), as in a real Go process, so
the numbers a learner sees look like the ones gdb shows on a Go binary.
"""
TEXT_BASE = 0x401000
TEXT_SIZE = 0x2000
DRIVER_OFFSET = 0x1800            # main.* lives at TEXT_BASE + DRIVER_OFFSET

RUNTIME_TEXT = 0x42C000
RUNTIME_TEXT_SIZE = 0x1000
TRAMPOLINES = {                   # each is a single RET; a hook at the address runs the model
    "runtime.entersyscall": RUNTIME_TEXT + 0x000,
    "runtime.exitsyscall": RUNTIME_TEXT + 0x020,
    "runtime.entersyscallblock": RUNTIME_TEXT + 0x040,
    # the thread world (emu.world) only: `go f()`, a goroutine's end (via runtime·goexit), `<-ch`
    "runtime.newproc": RUNTIME_TEXT + 0x060,
    "runtime.goexit1": RUNTIME_TEXT + 0x080,
    "runtime.chanrecv1": RUNTIME_TEXT + 0x0a0,
}

RUNTIME_DATA = 0x5A0000
RUNTIME_DATA_SIZE = 0x1000
M0 = RUNTIME_DATA + 0x000         # runtime.m0
G0 = RUNTIME_DATA + 0x400         # runtime.g0 (m0's scheduling stack's g)

HEAP_ARENA = 0xC000000000
HEAP_ARENA_SIZE = 0x1000
G1 = HEAP_ARENA + 0x180           # the main goroutine's g struct (room up to the arena's end)
G_STRIDE = 0x180                  # the least room for one g struct; see g_stride()

GUARD_PAGE = 0xC000030000         # left unmapped: running off the stack faults here
STACK_LO = 0xC000031000
STACK_HI = 0xC000039000

USER_HEAP = 0xC000040000
USER_HEAP_SIZE = 0x10000

FRAME_RESERVE = 0x100             # the driver's frame sits this far below stack.hi

# The thread world (emu.world): goroutine programs, and memory for many Ms and Gs. The arenas
# are mapped in chunks as threads and goroutines appear (emu/cpu/memory.py caps the total).
PROGRAM_TEXT = TEXT_BASE + 0x1000  # asm/go1_10/programs.py, after the stubs and drivers
WORLD_DATA = RUNTIME_DATA + RUNTIME_DATA_SIZE   # package variables of the programs, funcvals
WORLD_DATA_SIZE = 0x2000
WORLD_G_ARENA = 0xC000800000      # g structs, g_stride() apart
WORLD_G_ARENA_SIZE = 0x800000
WORLD_M_ARENA = 0xC001000000      # per M: its m struct (m.tls), g0 scratch, its park note's word
WORLD_M_ARENA_SIZE = 0x800000
WORLD_STACKS = 0xC002000000       # goroutine stacks of the profile's _StackMin bytes (stack.go)
WORLD_STACKS_SIZE = 0x2800000


def g_stride(sizeof_g: int) -> int:
    """Room for one g of a release whose g is ``sizeof_g`` bytes: at least G_STRIDE, so the
    thread world's g structs sit where they always did, 64-byte aligned beyond that."""
    return max(G_STRIDE, (sizeof_g + 0x3F) & ~0x3F)
