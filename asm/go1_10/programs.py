"""asm/go1_10/programs.py — goroutine programs for the thread world: small Go functions, compiled by hand.

Each is a Stub in the shape go1.10's compiler and assembler give a Go function on linux/amd64:
ABI0 (arguments and results on the stack), a fixed frame made by ``SUBQ $n, SP`` and undone
before ``RET``, calls to ``syscall·Syscall`` / ``syscall·RawSyscall`` with the frame laid out
as Go's ABI0 caller lays it out (trap at 0(SP), a1..a3, then r1, r2, err), ``go f()`` as
``CALL runtime·newproc(SB)`` with ``siz`` and ``fn`` (a ``*funcval``) at 0(SP) and 8(SP), and
``<-ch`` as ``CALL runtime·chanrecv1(SB)``. They are NOSPLIT and keep no frame pointer: the
world does not model stack growth (``morestack``), and the Syscall stubs are NOSPLIT too.

A goroutine function takes no arguments here (the model's newproc copies none), so its
parameters are package variables (``main·fd`` ...) at ``data_base + GLOBALS[name]``; the world
writes them before the run. A goroutine's function returns to ``runtime·goexit+1`` (newproc
pushed that address), whose ``CALL runtime·goexit1(SB)`` ends the goroutine — go1.10's own
``asm_amd64.s`` goexit, transcribed here as ``runtime.goexit``.

Line numbers (``programs.s:N``) are those of this listing; the Go source each stands for is in
its doc string.
"""
from __future__ import annotations

from ..stub import Stub, go_listing

FILE = "programs.s"

SYS_READ, SYS_NANOSLEEP, SYS_EXIT_GROUP = 0, 35, 231   # Linux x86-64 syscall numbers

# Package variables the programs read: name -> offset from data_base (8-byte words unless noted).
GLOBALS = {
    "main.nworkers": 0x00,     # how many goroutines main starts
    "main.workerfn": 0x08,     # func() to start: a *funcval (see FUNCVALS)
    "main.fd": 0x10,           # fd the readers read
    "main.iters": 0x18,        # loop count of main.compute
    "main.ch": 0x20,           # the channel main.chanwaiter receives from
    "main.sleepts": 0x30,      # timespec {sec, nsec} main.sleeper sleeps, 16 bytes
    "main.waittrap": 0x40,     # the syscall main makes after starting its goroutines ...
    "main.wait1": 0x48,        # ... and its three arguments
    "main.wait2": 0x50,
    "main.wait3": 0x58,
    "main.probefn": 0x60,      # main.trials: func() to start each trial (0: start nothing)
    "main.ntrials": 0x68,      # main.trials: number of trials
    "main.blockts": 0x70,      # main.trials: timespec of the measured nanosleep, 16 bytes
    "main.buf": 0x80,          # an 8-byte buffer main's read may use
    "main.pre": 0x88,          # main.main: 1 = first sleep prets (a syscall before the others)
    "main.prets": 0x90,        # its timespec, 16 bytes
    "main.trial": 0x100,       # main.trials: [ntrials]struct{kind, iters, ts timespec}, 32 bytes each
}
TRIAL_SIZE = 32
TRIAL_BUSY, TRIAL_SLEEP = 0, 1          # trial.kind: spin(iters) or nanosleep(&ts) between trials
MAX_TRIALS = 200
FUNCVALS = 0x1c00                       # one funcval {fn uintptr} per program, 8 bytes each
DATA_SIZE = 0x2000

# The goroutine functions a *funcval may point at (order = slot in FUNCVALS).
GOROUTINES = ("main.reader", "main.rawreader", "main.sleeper", "main.chanwaiter", "main.compute",
              "main.probe")


def funcval(data_base: int, name: str) -> int:
    """Address of the static funcval ``name·f`` (Go's ``{fn}`` for a top-level func)."""
    return data_base + FUNCVALS + 8 * GOROUTINES.index(name)


def _g(data_base: int, name: str, off: int = 0) -> str:
    return f"{data_base + GLOBALS[name] + off:#x}"


def _prog(name: str, frame: int, body: list[tuple[str, str]], first_line: int, doc: str,
          ret: bool = True) -> Stub:
    """A NOSPLIT function with a ``frame``-byte frame: prologue, body, epilogue, RET."""
    pro = [(f"SUBQ\t${frame}, SP\t// frame", f"sub rsp, {frame:#x}")] if frame else []
    epi = [(f"ADDQ\t${frame}, SP", f"add rsp, {frame:#x}")] if frame else []
    end = [("RET", "ret")] if ret else []
    return go_listing(name, f"${frame}-0", (), (), first_line, FILE,
                      pro + body + epi + end, calls_runtime=True, doc=doc)


def _frame_call(stub: str, trap: int, args: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``stub(trap, a1, a2, a3)``: trap and the three arguments into 0..24(SP), then CALL.
    ``args``: (Go, Intel) pairs that leave each argument in AX."""
    out = [(f"MOVQ\t${trap}, 0(SP)\t// trap", f"mov qword ptr [rsp], {trap}")]
    for i, (go, intel) in enumerate(args, start=1):
        if go.startswith("$"):
            out.append((f"MOVQ\t{go}, {8 * i}(SP)\t// a{i}", f"mov qword ptr [rsp+{8 * i:#x}], {intel}"))
        else:
            out += [(go, intel), (f"MOVQ\tAX, {8 * i}(SP)\t// a{i}", f"mov qword ptr [rsp+{8 * i:#x}], rax")]
    return out + [(f"CALL\tsyscall·{stub}(SB)", f"call syscall.{stub}")]


def _read_loop(d: int, name: str, stub: str, line: int = 0) -> Stub:
    return _prog(name, 64, [
        ("loop:", ""),
        *_frame_call(stub, SYS_READ, [
            ("MOVQ\tmain·fd(SB), AX", f"mov rax, qword ptr [{_g(d, 'main.fd')}]"),
            ("LEAQ\tbuf-8(SP), AX\t// &buf, a local [8]byte at 56(SP)", "lea rax, [rsp+0x38]"),
            ("$8", "8")]),
        ("MOVQ\tr1+32(SP), AX", "mov rax, qword ptr [rsp+0x20]"),
        ("CMPQ\tAX, $0", "cmp rax, 0"),
        ("JGT\tloop\t// read again while data comes; stop at EOF or an error", "jg loop"),
    ], line, f"func {name[5:]}() {{ var buf [8]byte; for {{ n, _, _ := syscall.{stub}(SYS_READ, "
             "uintptr(fd), uintptr(unsafe.Pointer(&buf)), 8); if int(n) <= 0 { return } } }")


def _spawn(d: int, fn: str) -> list[tuple[str, str]]:
    """``go (*fn)()``: newproc(siz=0, fn) with the funcval pointer loaded from package var fn."""
    return [("MOVL\t$0, 0(SP)\t// siz: no arguments", "mov dword ptr [rsp], 0"),
            (f"MOVQ\t{fn.replace('.', '·')}(SB), AX", f"mov rax, qword ptr [{_g(d, fn)}]"),
            ("MOVQ\tAX, 8(SP)\t// fn", "mov qword ptr [rsp+8], rax"),
            ("CALL\truntime·newproc(SB)", "call runtime.newproc")]


def _exit() -> list[tuple[str, str]]:
    """runtime.main's exit(0) when main.main returns: exit_group(0), which does not return."""
    return [(f"MOVQ\t${SYS_EXIT_GROUP}, 0(SP)\t// SYS_EXIT_GROUP: runtime.main's exit(0)",
             f"mov qword ptr [rsp], {SYS_EXIT_GROUP}"),
            ("MOVQ\t$0, 8(SP)", "mov qword ptr [rsp+8], 0"),
            ("CALL\tsyscall·RawSyscall(SB)\t// does not return", "call syscall.RawSyscall")]


def programs(d: int) -> list[Stub]:
    """Every goroutine program, with package variables at ``d`` (= data_base)."""
    step = [("IMULQ\tBX, AX", "imul rax, rbx"), ("ADDQ\t$0x5851f42d, AX", "add rax, 0x5851f42d"),
            ("MOVQ\tAX, DX", "mov rdx, rax"), ("SHRQ\t$33, DX", "shr rdx, 33"), ("XORQ\tDX, AX", "xor rax, rdx")]
    return _numbered([
        _prog("runtime.goexit", 0, [
            ("BYTE\t$0x90\t// NOP", "nop"),
            ("CALL\truntime·goexit1(SB)\t// does not return", "call runtime.goexit1"),
            ("BYTE\t$0x90\t// NOP: traceback from goexit1 must hit goexit's code range", "nop"),
        ], 0, "go1.10 asm_amd64.s runtime·goexit: a goroutine's function returns to goexit+1",
            ret=False),
        _read_loop(d, "main.reader", "Syscall"),
        _read_loop(d, "main.rawreader", "RawSyscall"),
        _prog("main.sleeper", 32, [
            ("loop:", ""),
            *_frame_call("Syscall", SYS_NANOSLEEP, [
                ("LEAQ\tmain·sleepts(SB), AX", f"mov rax, {_g(d, 'main.sleepts')}"), ("$0", "0"), ("$0", "0")]),
            ("MOVQ\tr1+32(SP), AX", "mov rax, qword ptr [rsp+0x20]"),
            ("CMPQ\tAX, $0", "cmp rax, 0"),
            ("JEQ\tloop", "je loop"),
        ], 0, "func sleeper() { for { if r1, _, _ := syscall.Syscall(SYS_NANOSLEEP, "
               "uintptr(unsafe.Pointer(&sleepts)), 0, 0); r1 != 0 { return } } }"),
        _prog("main.chanwaiter", 16, [
            ("MOVQ\tmain·ch(SB), AX", f"mov rax, qword ptr [{_g(d, 'main.ch')}]"),
            ("MOVQ\tAX, 0(SP)\t// c", "mov qword ptr [rsp], rax"),
            ("MOVQ\t$0, 8(SP)\t// elem: nil, the value is dropped", "mov qword ptr [rsp+8], 0"),
            ("CALL\truntime·chanrecv1(SB)", "call runtime.chanrecv1"),
        ], 0, "func chanwaiter() { <-ch }"),
        _prog("main.spin", 0, [
            ("MOVQ\tn+8(FP), CX", "mov rcx, qword ptr [rsp+8]"),
            ("MOVQ\t$1, AX", "mov rax, 1"),
            ("MOVQ\t$0x5851f42d4c957f2d, BX", "mov rbx, 0x5851f42d4c957f2d"),
            ("CMPQ\tCX, $0", "cmp rcx, 0"),
            ("JLE\tdone", "jle done"),
            ("loop:", ""),
            *(step * 12),
            ("DECQ\tCX", "dec rcx"),
            ("JNZ\tloop", "jnz loop"),
            ("done:", ""),
        ], 0, "func spin(n int) { x := uint64(1); for ; n > 0; n-- { for k := 0; k < 12; k++ "
                "{ x = x*6364136223846793005 + 0x5851f42d; x ^= x >> 33 } } }  // 62 instructions a turn"),
        _prog("main.compute", 8, [
            ("MOVQ\tmain·iters(SB), AX", f"mov rax, qword ptr [{_g(d, 'main.iters')}]"),
            ("MOVQ\tAX, 0(SP)\t// n", "mov qword ptr [rsp], rax"),
            ("CALL\tmain·spin(SB)", "call main.spin"),
        ], 0, "func compute() { spin(iters) }"),
        _prog("main.probe", 0, [], 0, "func probe() {}  // starts, returns, exits"),
        _prog("main.main", 64, [
            ("MOVQ\tmain·pre(SB), AX", f"mov rax, qword ptr [{_g(d, 'main.pre')}]"),
            ("CMPQ\tAX, $0", "cmp rax, 0"),
            ("JEQ\tstart", "je start"),
            *_frame_call("Syscall", SYS_NANOSLEEP, [
                ("LEAQ\tmain·prets(SB), AX", f"mov rax, {_g(d, 'main.prets')}"), ("$0", "0"), ("$0", "0")]),
            ("start:", ""),
            ("MOVQ\tmain·nworkers(SB), AX", f"mov rax, qword ptr [{_g(d, 'main.nworkers')}]"),
            ("MOVQ\tAX, i-8(SP)\t// i := nworkers, at 56(SP)", "mov qword ptr [rsp+0x38], rax"),
            ("CMPQ\tAX, $0", "cmp rax, 0"),
            ("JLE\twait", "jle wait"),
            ("spawn:", ""),
            *_spawn(d, "main.workerfn"),
            ("DECQ\ti-8(SP)", "dec qword ptr [rsp+0x38]"),
            ("JNZ\tspawn", "jnz spawn"),
            ("wait:", ""),
            ("MOVQ\tmain·waittrap(SB), AX", f"mov rax, qword ptr [{_g(d, 'main.waittrap')}]"),
            ("MOVQ\tAX, 0(SP)\t// trap", "mov qword ptr [rsp], rax"),
            *[x for i in (1, 2, 3) for x in (
                (f"MOVQ\tmain·wait{i}(SB), AX", f"mov rax, qword ptr [{_g(d, f'main.wait{i}')}]"),
                (f"MOVQ\tAX, {8 * i}(SP)\t// a{i}", f"mov qword ptr [rsp+{8 * i:#x}], rax"))],
            ("CALL\tsyscall·Syscall(SB)\t// main waits (a read, or a sleep standing for time.Sleep)",
             "call syscall.Syscall"),
            *_exit(),
        ], 0, "func main() { if pre { nanosleep(&prets) }; for i := nworkers; i > 0; i-- { go workerfn() }; "
                "syscall.Syscall(waittrap, wait1, wait2, wait3) }  // then runtime.main exits"),
        _prog("main.trials", 80, [
            ("MOVQ\tmain·ntrials(SB), AX", f"mov rax, qword ptr [{_g(d, 'main.ntrials')}]"),
            ("MOVQ\tAX, n-16(SP)\t// at 64(SP), above the Syscall frame", "mov qword ptr [rsp+0x40], rax"),
            ("LEAQ\tmain·trial(SB), AX", f"mov rax, {_g(d, 'main.trial')}"),
            ("MOVQ\tAX, t-8(SP)\t// t := &trial[0], at 72(SP)", "mov qword ptr [rsp+0x48], rax"),
            ("CMPQ\tn-16(SP), $0", "cmp qword ptr [rsp+0x40], 0"),
            ("JLE\tdone", "jle done"),
            ("next:", ""),
            ("MOVQ\tt-8(SP), AX", "mov rax, qword ptr [rsp+0x48]"),
            ("CMPQ\t0(AX), $0\t// t.kind == busy?", "cmp qword ptr [rax], 0"),
            ("JNE\tsleep", "jne sleep"),
            ("MOVQ\t8(AX), BX\t// t.iters", "mov rbx, qword ptr [rax+8]"),
            ("MOVQ\tBX, 0(SP)", "mov qword ptr [rsp], rbx"),
            ("CALL\tmain·spin(SB)\t// the P stays busy", "call main.spin"),
            ("JMP\tprobe", "jmp probe"),
            ("sleep:", ""),
            *_frame_call("Syscall", SYS_NANOSLEEP, [
                ("LEAQ\t16(AX), AX\t// &t.ts", "lea rax, [rax+0x10]"), ("$0", "0"), ("$0", "0")]),
            ("probe:", ""),
            ("MOVQ\tmain·probefn(SB), AX", f"mov rax, qword ptr [{_g(d, 'main.probefn')}]"),
            ("CMPQ\tAX, $0", "cmp rax, 0"),
            ("JEQ\tblock\t// nothing to start (the 10 ms rule)", "je block"),
            *_spawn(d, "main.probefn"),
            ("block:", ""),
            *_frame_call("Syscall", SYS_NANOSLEEP, [
                ("LEAQ\tmain·blockts(SB), AX", f"mov rax, {_g(d, 'main.blockts')}"), ("$0", "0"), ("$0", "0")]),
            ("ADDQ\t$32, t-8(SP)\t// t++", "add qword ptr [rsp+0x48], 0x20"),
            ("DECQ\tn-16(SP)", "dec qword ptr [rsp+0x40]"),
            ("JNZ\tnext", "jnz next"),
            ("done:", ""),
            *_exit(),
        ], 0, "func trials() { for _, t := range trial[:ntrials] { if t.kind == busy { spin(t.iters) } "
                "else { nanosleep(&t.ts) }; if probefn != nil { go probefn() }; nanosleep(&blockts) } }"),
    ])


def _numbered(stubs: list[Stub]) -> list[Stub]:
    """Give the programs consecutive line numbers in programs.s, a blank line apart."""
    out, line = [], 1
    for s in stubs:
        out.append(go_listing(s.name, s.frame, s.args, s.results, line, FILE,
                              [(ln.go if not ln.label else ln.label + ":", ln.intel) for ln in s.lines],
                              calls_runtime=s.calls_runtime, doc=s.doc))
        line += len(s.lines) + 2
    return out
