"""emu/repl/domain.py — the teaching commands: ``abi``, ``g``/``m``/``p``/``sched``, ``lint``.

``abi`` reads the current stub's own instructions to say which Go frame slot feeds which
register (so it is right for a user's ``--asm`` stub too). The runtime views list the
model's state (``session.runtime.rt``: allgs, allm, allp, sched) as the runtime holds it.
``lint`` reads the current function with Capstone's register-access data.
"""
from __future__ import annotations

import re

from asm.operands import decode
from emu.repl.context import rule, stub_at
from emu.repl.views import sym

SYSCALL_ABI = (   # (role, register, note) — Linux arch/x86/entry/entry_64.S, SysV psABI A.2
    ("number", "rax", "the syscall number in; the result (or -errno, -4095…-1) out"),
    ("arg 0", "rdi", ""),
    ("arg 1", "rsi", ""),
    ("arg 2", "rdx", "also preserved: Go's r2 is RDX after SYSCALL, so r2 == a3"),
    ("arg 3", "r10", "not rcx as in C calls: SYSCALL itself overwrites RCX"),
    ("arg 4", "r8", ""),
    ("arg 5", "r9", ""),
    ("clobbered", "rcx", "← address of the next instruction (the CPU saves RIP there for SYSRET)"),
    ("clobbered", "r11", "← RFLAGS with RF cleared (the CPU saves RFLAGS there for SYSRET)"),
)
_LOAD = re.compile(r"^mov\s+(\w+),\s*(?:qword ptr\s*)?\[rsp\s*\+\s*(0x[0-9a-f]+|\d+)\]$", re.I)
_ZERO = re.compile(r"^(?:mov\s+(\w+),\s*0|xor\s+(\w+),\s*\2)$", re.I)
_STORE = re.compile(r"^mov\s+(?:qword ptr\s*)?\[rsp\s*\+\s*(0x[0-9a-f]+|\d+)\],\s*(\w+|-?\d+)$", re.I)


def abi(dbg) -> list[str]:
    regs = dbg.regs()
    out = [rule("Linux x86-64 syscall ABI"), f"  {'role':<10}{'register':<10}{'now':<20}note"]
    for role, reg, note in SYSCALL_ABI:
        out.append(f"  {role:<10}{reg:<10}{regs[reg]:<#20x}{note}".rstrip())
    out.append("  preserved every other register: the kernel saves and restores them")
    stub = stub_at(dbg, dbg.pc) or dbg.stub
    out += [rule(f"{stub.name} {stub.frame}: frame slot → register (FP = RSP+8 at entry)"),
            f"  {'slot':<13}{'at entry':<11}{'register':<10}{'slot now':<20}{'register now':<20}line"]
    fp = dbg.session.frame_base()
    mem = dbg.session.machine.mem
    slots = {8 + stub.fp_offset(s): s for s in stub.slots}      # RSP offset at entry → slot
    for insn in sorted((i for i in dbg.image.insns.values() if i.stub == stub.name), key=lambda i: i.addr):
        text = insn.intel.strip()
        m, z, st = _LOAD.match(text), _ZERO.match(text), _STORE.match(text)
        if m and int(m.group(2), 0) in slots:
            reg, slot = m.group(1).lower(), slots[int(m.group(2), 0)]
            v = mem.u64(fp + stub.fp_offset(slot))
            out.append(f"  {slot + f'+{stub.fp_offset(slot)}(FP)':<13}{f'{int(m.group(2), 0)}(RSP)':<11}"
                       f"{reg:<10}{v:<#20x}{regs.get(reg, 0):<#20x}{insn.loc}")
        elif z:
            reg = (z.group(1) or z.group(2)).lower()
            out.append(f"  {'(zeroed)':<13}{'':<11}{reg:<10}{'':<20}{regs.get(reg, 0):<#20x}{insn.loc}")
        elif st and int(st.group(1), 0) in slots:
            slot = slots[int(st.group(1), 0)]
            out.append(f"  {slot + f'+{stub.fp_offset(slot)}(FP)':<13}{f'{int(st.group(1), 0)}(RSP)':<11}"
                       f"← {st.group(2).lower():<8}{mem.u64(fp + stub.fp_offset(slot)):<#20x}{'':<20}{insn.loc}")
    out += ["  Why R10: SYSCALL writes the return address into RCX and RFLAGS into R11 before the",
            "  kernel runs, so neither can carry an argument; Linux takes the 4th from R10 instead",
            "  and SYSRET restores RIP and RFLAGS from RCX and R11 on the way out."]
    return out


# -- the runtime model's state ----------------------------------------------------------------
def _rt(dbg):
    return dbg.session.runtime.rt


def _name(obj) -> str:
    if obj is None:
        return "-"
    kind = type(obj).__name__
    return f"g{obj.goid}" if kind == "g" else f"{kind}{obj.id}"


def goroutines(dbg) -> list[str]:
    rt, b = _rt(dbg), dbg.session.runtime
    cur = b.os.getg()
    out = [rule("goroutines (runtime.allgs)"),
           f"  {'G':<5}{'status':<13}{'m':<5}{'stack [lo, hi)':<32}{'stackguard0':<20}"
           f"{'syscallsp':<16}syscallpc"]
    for gp in rt.allgs:
        mark = "*" if gp is cur else " "
        st = b.prof.gstatusname(gp.atomicstatus)
        pc = f"{gp.syscallpc:#x}{sym(dbg, gp.syscallpc)}" if gp.syscallpc else "0"
        out.append(f" {mark}{_name(gp):<5}{st:<13}{_name(gp.m):<5}"
                   f"{f'[{gp.stack.lo:#x}, {gp.stack.hi:#x})':<32}{gp.stackguard0:<#20x}"
                   f"{gp.syscallsp:<#16x}{pc}")
    if cur is not None and b.addr_of(cur):
        out.append(f"  the current g ({_name(cur)}) is mirrored at {b.addr_of(cur):#x}; FS:-8 "
                   f"(m0.tls[0]) holds that address")
    return out


def threads(dbg) -> list[str]:
    rt = _rt(dbg)
    out = [rule("threads (runtime.allm)"),
           f"  {'M':<5}{'curg':<6}{'p':<5}{'nextp':<7}{'locks':<7}{'spinning':<10}{'blocked':<9}"
           f"{'mcache':<8}syscalltick"]
    mp = rt.allm
    while mp is not None:
        out.append(f"  {_name(mp):<5}{_name(mp.curg):<6}{_name(mp.p):<5}{_name(mp.nextp):<7}"
                   f"{mp.locks:<7}{str(mp.spinning).lower():<10}{str(mp.blocked).lower():<9}"
                   f"{'nil' if mp.mcache is None else 'set':<8}{mp.syscalltick}")
        mp = mp.alllink
    return out


def processors(dbg) -> list[str]:
    rt, prof = _rt(dbg), dbg.session.runtime.prof
    out = [rule("processors (runtime.allp)"),
           f"  {'P':<5}{'status':<12}{'m':<5}{'schedtick':<11}{'syscalltick':<13}{'runq':<6}mcache"]
    for pp in rt.allp:
        runq = (pp.runqtail - pp.runqhead) + (pp.runnext is not None)
        out.append(f"  {_name(pp):<5}{prof.pstatusname(pp.status):<12}{_name(pp.m):<5}"
                   f"{pp.schedtick:<11}{pp.syscalltick:<13}{runq:<6}{'nil' if pp.mcache is None else 'set'}")
    return out


def scheduler(dbg) -> list[str]:
    s = _rt(dbg).sched
    out = [rule("scheduler (runtime.sched)")]
    fields = ("goidgen", "mnext", "nmidle", "npidle", "nmspinning", "runqsize", "nmsys",
              "gcwaiting", "sysmonwait", "lastpoll")
    for f in fields:
        out.append(f"  {f:<12}{getattr(s, f)}")
    out.append(f"  {'pidle':<12}{_name(s.pidle)}")
    out.append(f"  {'midle':<12}{_name(s.midle)}")
    out.append(f"  {'runq':<12}{_name(s.runqhead)}" + (" …" if s.runqsize > 1 else ""))
    return out


# -- lint: classic mistakes around SYSCALL ------------------------------------------------------

_FAMILY = {}
for _full, _parts in {"rax": "eax ax al ah", "rbx": "ebx bx bl bh", "rcx": "ecx cx cl ch",
                      "rdx": "edx dx dl dh", "rsi": "esi si sil", "rdi": "edi di dil",
                      "rbp": "ebp bp bpl", "rsp": "esp sp spl"}.items():
    for _p in _parts.split():
        _FAMILY[_p] = _full
for _i in range(8, 16):
    for _suffix in ("d", "w", "b"):
        _FAMILY[f"r{_i}{_suffix}"] = f"r{_i}"


def _access(addr: int, data: bytes) -> tuple[set, set, str]:
    """(registers read, registers written, mnemonic), 64-bit family names."""
    ci = decode(data, addr)
    if ci is None:
        return set(), set(), ""
    rd, wr = ci.regs_access()
    name = ci.reg_name
    fam = lambda ids: {_FAMILY.get(name(r), name(r)) for r in ids}     # noqa: E731
    return fam(rd), fam(wr), ci.mnemonic


def _successors(insns: list, j: int, index: dict[int, int]) -> list[int]:
    """Where control goes after insns[j] inside the function: the next instruction and/or a
    direct branch target (both for a conditional branch); none after RET or an indirect jump."""
    ci = decode(insns[j].data, insns[j].addr)
    if ci is None or ci.mnemonic in ("ret", "syscall"):
        return []
    from capstone import CS_GRP_JUMP, x86_const
    out = []
    if ci.group(CS_GRP_JUMP):
        op = ci.operands[0] if ci.operands else None
        if op is not None and op.type == x86_const.X86_OP_IMM and op.imm in index:
            out.append(index[op.imm])
        if ci.mnemonic == "jmp":
            return out
    if j + 1 < len(insns):
        out.append(j + 1)
    return out


def _clobbered_reads(insns: list, k: int) -> list:
    """Instructions reachable from the SYSCALL insns[k] that read RCX or R11 before every
    path to them wrote it again (both successors of a branch are followed)."""
    index = {i.addr: n for n, i in enumerate(insns)}
    found, seen = [], set()
    work = [(k + 1, frozenset({"rcx", "r11"}))] if k + 1 < len(insns) else []
    while work:
        j, live = work.pop(0)
        if (j, live) in seen:
            continue
        seen.add((j, live))
        rd, wr, mnemonic = _access(insns[j].addr, insns[j].data)
        used = live & rd
        if used and mnemonic not in ("call", "ret"):
            found.append((insns[j], sorted(used)[0]))
            continue
        live = live - wr
        if live:
            work += [(n, live) for n in _successors(insns, j, index)]
    return sorted(dict.fromkeys(found), key=lambda f: f[0].addr)


def lint(dbg) -> list[str]:
    """Warnings about the current function's use of SYSCALL (empty: nothing to say)."""
    stub = stub_at(dbg, dbg.pc) or dbg.stub
    insns = sorted((i for i in dbg.image.insns.values() if i.stub == stub.name), key=lambda i: i.addr)
    calls = [k for k, i in enumerate(insns) if i.intel.strip() == "syscall"]
    out = []
    for i in insns:
        if re.match(r"int\s+0x80$", i.intel.strip()):
            out.append(f"{i.loc}: `int 0x80` is the 32-bit syscall gate (EBX, ECX, EDX…, 32-bit "
                       "numbers); 64-bit code uses SYSCALL with RDI, RSI, RDX, R10, R8, R9")
    for k in calls:
        written, first = {}, None
        for j in range(k - 1, -1, -1):                    # back to the previous SYSCALL or start
            if j in calls:
                break
            _rd, wr, _ = _access(insns[j].addr, insns[j].data)
            for r in wr:
                written.setdefault(r, insns[j])
        at = insns[k].loc
        if ("rbx" in written or "rcx" in written) and not {"rdi", "rsi"} & written.keys():
            bad = "rbx" if "rbx" in written else "rcx"
            out.append(f"{written[bad].loc}: {bad.upper()} set before the SYSCALL at {at} but RDI/RSI "
                       f"are not: that is the 32-bit `int 0x80` convention (EBX, ECX, EDX); "
                       f"SYSCALL takes its arguments in RDI, RSI, RDX, R10, R8, R9")
        elif "rcx" in written and "r10" not in written:
            out.append(f"{written['rcx'].loc}: RCX set as if it were the 4th argument, R10 is not: "
                       f"SYSCALL at {at} overwrites RCX with the return address; the kernel reads "
                       f"argument 3 from R10")
        for insn, r in _clobbered_reads(insns, k):        # after: on every path from the SYSCALL
            out.append(f"{insn.loc}: reads {r.upper()} after the SYSCALL at {at}, which "
                       f"clobbered it ({'return address' if r == 'rcx' else 'saved RFLAGS'}); "
                       "its old value is gone")
    return out
