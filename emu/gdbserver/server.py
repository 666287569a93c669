"""emu/gdbserver/server.py — the GDB Remote Serial Protocol, one command at a time.

Packets served (gdb's manual, "Remote Protocol" appendix); anything else gets the empty
reply, which tells gdb it is not supported:

    ?  qSupported  QStartNoAckMode  qXfer:features:read  qXfer:exec-file:read
    qAttached  qC  qfThreadInfo  qsThreadInfo  qThreadExtraInfo  qRcmd  qSymbol
    Hg  Hc  T  g  G  p  P  m  M  X  Z0 z0 Z1 z1  vCont?  vCont (c C s S)  c  C  s  S
    bs bc (one thread only)  QCatchSyscalls  D  k  vKill  vMustReplyEmpty

``qSupported`` advertises exactly these: PacketSize, QStartNoAckMode, qXfer features and
exec-file, swbreak/hwbreak stop reasons, QCatchSyscalls, vContSupported, and ReverseStep/
ReverseContinue where the target can go back. Errors are ``E`` + an errno in hex: E16
(EINVAL) for a malformed request, E0e (EFAULT) for memory outside the guest's map. A bug
in a handler is answered E01, counted in ``internal_errors`` and said on stderr once; the
server goes on.
"""
from __future__ import annotations

import contextlib
import sys

from emu.gdbserver import tdesc
from emu.gdbserver.conn import TOO_LONG
from emu.gdbserver.packets import MAX_PACKET, escape, hexdata, hexnum, tohex, unescape
from emu.gdbserver.target import SIGTRAP, StopEvent, TargetError

EINVAL, EFAULT = b"E16", b"E0e"
XFER_MAX = MAX_PACKET - 16          # bytes of one qXfer answer (escaping can double a few)
EXPEDITE = ("rbp", "rsp", "rip")    # registers sent with every stop (gdb needs them first)


class Server:
    def __init__(self, target, conn, err=None):
        self.t, self.conn = target, conn
        self.err = err or sys.stderr
        first = (target.threads() or [0])[0]
        self.last_stop = StopEvent("signal", SIGTRAP, first)
        self.g_tid = self.c_tid = 0       # 0: whichever thread stopped last
        self.finished: str | None = None  # killed, detached, closed
        self.internal_errors = 0
        self._thread_list: list[int] = []
        self._regs: dict[int, list] = {}  # tid → registers, read once per stop

    def serve(self) -> str:
        """Answer packets until gdb kills, detaches or goes away; how it ended."""
        while self.finished is None:
            pkt = self.conn.next_packet()
            if pkt is None:
                self.finished = "closed"
                break
            reply = self.handle(pkt)
            if reply is not None:
                self.conn.send(reply)
            if pkt == b"QStartNoAckMode" and reply == b"OK":
                self.conn.noack = True
        return self.finished

    def handle(self, pkt: bytes) -> bytes | None:
        if pkt == TOO_LONG:
            return EINVAL
        try:
            return self._dispatch(pkt)
        except (ValueError, UnicodeDecodeError, KeyError):
            return EINVAL
        except TargetError as e:
            return b"E%02x" % (e.errno & 0xFF)
        except Exception as e:           # a bug: answer, say it once, keep serving
            self.internal_errors += 1
            if self.internal_errors == 1:
                print(f"gosyscall gdbserver: internal error on {pkt[:40]!r}: {type(e).__name__}: {e}",
                      file=self.err)
            return b"E01"

    # -- dispatch ------------------------------------------------------------------------------
    def _dispatch(self, pkt: bytes) -> bytes | None:
        c, rest = pkt[:1], pkt[1:]
        simple = {b"?": lambda: self.stop_reply(self.last_stop), b"g": self._read_registers,
                  b"k": self._kill}
        if pkt in simple:
            return simple[pkt]()
        if c == b"q" or c == b"Q":
            return self._query(pkt)
        if c == b"v":
            return self._v(pkt)
        handlers = {b"G": self._write_registers, b"p": self._read_register, b"P": self._write_register,
                    b"m": self._read_memory, b"M": self._write_memory, b"X": self._write_binary,
                    b"Z": self._breakpoint, b"z": self._breakpoint, b"H": self._set_thread,
                    b"T": self._thread_alive, b"c": self._legacy_resume, b"s": self._legacy_resume,
                    b"C": self._legacy_resume, b"S": self._legacy_resume, b"D": self._detach,
                    b"b": self._reverse}
        fn = handlers.get(c)
        return fn(c, rest) if fn is not None else b""

    def _query(self, pkt: bytes) -> bytes:
        name, sep, arg = pkt.partition(b":")
        if name == b"qSupported":
            feats = [b"PacketSize=%x" % MAX_PACKET, b"QStartNoAckMode+", b"qXfer:features:read+",
                     b"qXfer:exec-file:read+", b"swbreak+", b"hwbreak+", b"QCatchSyscalls+",
                     b"vContSupported+"]
            if self.t.reverse:
                feats += [b"ReverseStep+", b"ReverseContinue+"]
            return b";".join(feats)
        if pkt == b"QStartNoAckMode":
            return b"OK"
        if name == b"qXfer":
            return self._xfer(arg)
        if pkt == b"qAttached":
            return b"0"                  # gdb's own process: quitting gdb kills it
        if pkt == b"qC":
            return b"QC%x" % self._stop_tid()
        if pkt == b"qfThreadInfo":
            self._thread_list = self.t.threads()
            return self._thread_chunk()
        if pkt == b"qsThreadInfo":
            return self._thread_chunk()
        if pkt.startswith(b"qThreadExtraInfo,"):
            tid = self._tid(pkt[len(b"qThreadExtraInfo,"):])
            self._need_thread(tid)
            return tohex(self.t.extra_info(tid).encode())
        if pkt.startswith(b"qRcmd,"):
            text = self.t.monitor(hexdata(pkt[6:]).decode("utf-8", "replace"))
            self.console([text] if text else [])
            return b"OK"
        if pkt == b"qSymbol::":
            return b"OK"                 # no symbol lookups wanted
        if name == b"QCatchSyscalls":
            return self._catch(arg)
        return b""

    def _v(self, pkt: bytes) -> bytes | None:
        if pkt == b"vCont?":
            return b"vCont;c;C;s;S"
        if pkt.startswith(b"vCont;"):
            return self._vcont(pkt[6:])
        if pkt.startswith(b"vKill"):
            self.finished = "killed"
            return b"OK"
        return b""                       # vMustReplyEmpty, vFile (gdb then reads files itself), ...

    # -- registers ---------------------------------------------------------------------------------
    def _reg_tid(self) -> int:
        tid = self.g_tid if self.g_tid not in (0, -1) else self._stop_tid()
        self._need_thread(tid)
        return tid

    def registers(self, tid: int) -> list[int | None]:
        """A thread's registers, read from the target once per stop (until one is written)."""
        if tid not in self._regs:
            self._regs[tid] = self.t.registers(tid)
        return self._regs[tid]

    def _read_registers(self) -> bytes:
        return tdesc.encode(self.registers(self._reg_tid()))

    def _write_registers(self, _c, rest: bytes) -> bytes:
        tid = self._reg_tid()
        values = tdesc.decode(rest)
        current = self.registers(tid)
        self._regs.clear()
        for i, (new, old) in enumerate(zip(values, current)):
            if new is not None and new != old:
                self.t.set_register(tid, i, new)
        return b"OK"

    def _read_register(self, _c, rest: bytes) -> bytes:
        n = hexnum(rest, 16)
        if n >= len(tdesc.REGS):
            return EINVAL
        tid = self._reg_tid()
        return tdesc.encode_one(tdesc.REGS[n], self.registers(tid)[n])

    def _write_register(self, _c, rest: bytes) -> bytes:
        num, _, val = rest.partition(b"=")
        n = hexnum(num, 16)
        if n >= len(tdesc.REGS):
            return EINVAL
        value = tdesc.decode_one(tdesc.REGS[n], val)
        self._regs.clear()
        self.t.set_register(self._reg_tid(), n, value)
        return b"OK"

    # -- memory ------------------------------------------------------------------------------------
    @staticmethod
    def _addr_len(text: bytes) -> tuple[int, int]:
        a, _, n = text.partition(b",")
        addr, length = hexnum(a), hexnum(n, 32)
        if addr + length > 1 << 64:
            raise ValueError("range beyond the 64-bit address space")
        return addr, length

    def _read_memory(self, _c, rest: bytes) -> bytes:
        addr, length = self._addr_len(rest)
        return tohex(self.t.read_memory(addr, length)) if length else b""

    def _write_memory(self, _c, rest: bytes) -> bytes:
        head, _, data = rest.partition(b":")
        addr, length = self._addr_len(head)
        raw = hexdata(data)
        if len(raw) != length:
            return EINVAL
        self.t.write_memory(addr, raw)
        return b"OK"

    def _write_binary(self, _c, rest: bytes) -> bytes:
        head, sep, data = rest.partition(b":")
        addr, length = self._addr_len(head)
        raw = unescape(data)
        if not sep or len(raw) != length:
            return EINVAL
        if length:                           # X with no data: gdb asking whether X works
            self.t.write_memory(addr, raw)
        return b"OK"

    # -- breakpoints, catchpoints --------------------------------------------------------------------
    def _breakpoint(self, c: bytes, rest: bytes) -> bytes:
        kind, _, spec = rest.partition(b",")
        if kind not in (b"0", b"1"):
            return b""                       # watchpoints: not supported
        addr_text, _, size = spec.partition(b",")
        addr = hexnum(addr_text)
        hexnum(size.partition(b";")[0], 16)  # the kind/size field must be there (x86: 1)
        which = "sw" if kind == b"0" else "hw"
        (self.t.insert if c == b"Z" else self.t.remove)(which, addr)
        return b"OK"

    def _catch(self, arg: bytes) -> bytes:
        if arg == b"0":
            self.t.catch_syscalls(False)
            return b"OK"
        parts = arg.split(b";")
        if parts[0] != b"1":
            return EINVAL
        nrs = frozenset(hexnum(p, 32) for p in parts[1:])
        self.t.catch_syscalls(nrs or None)
        return b"OK"

    # -- threads ---------------------------------------------------------------------------------------
    @staticmethod
    def _tid(text: bytes) -> int:
        if text.startswith(b"p"):            # multiprocess form p<pid>.<tid>; not advertised
            text = text.partition(b".")[2] or b"-1"
        return -1 if text == b"-1" else hexnum(text, 32)

    def _need_thread(self, tid: int) -> None:
        if tid not in self.t.threads():
            raise TargetError(f"no thread {tid}", 3)         # ESRCH

    def _stop_tid(self) -> int:
        tid = self.last_stop.tid
        live = self.t.threads()
        return tid if tid in live else (live[0] if live else 0)

    def _thread_chunk(self) -> bytes:
        if not self._thread_list:
            return b"l"
        chunk, self._thread_list = self._thread_list[:64], self._thread_list[64:]
        return b"m" + b",".join(b"%x" % t for t in chunk)

    def _set_thread(self, _c, rest: bytes) -> bytes:
        op, tid = rest[:1], self._tid(rest[1:])
        if op not in (b"g", b"c"):
            return EINVAL
        if tid not in (0, -1):
            self._need_thread(tid)
        if op == b"g":
            self.g_tid = tid
        else:
            self.c_tid = tid
        return b"OK"

    def _thread_alive(self, _c, rest: bytes) -> bytes:
        self._need_thread(self._tid(rest))
        return b"OK"

    # -- running ---------------------------------------------------------------------------------------
    def _vcont(self, actions: bytes) -> bytes | None:
        """``vCont;s:3e8;c``: the first action naming a thread is the one that matters here
        (the other threads run on in either case); without one, the default action."""
        chosen = None
        for part in actions.split(b";"):
            act, _, tid = part.partition(b":")
            op, sig = act[:1], act[1:]
            if op not in b"cCsS" or len(op) != 1 or (op in b"cs" and sig) or (op in b"CS" and not sig):
                return EINVAL
            tid_n = self._tid(tid) if tid else None
            if chosen is None or (tid_n not in (None, -1) and chosen[2] in (None, -1)):
                chosen = (op, hexnum(sig, 8) if sig else 0, tid_n)
        if chosen is None:
            return EINVAL
        op, sig, tid = chosen
        return self._resume(op in b"sS", None if tid in (None, -1, 0) else tid, sig)

    def _legacy_resume(self, c: bytes, rest: bytes) -> bytes | None:
        sig = 0
        if c in (b"C", b"S"):
            sigtext, _, rest = rest.partition(b";")
            sig = hexnum(sigtext, 8)
        if rest:                              # resume at an address
            tid = self._reg_tid()
            self._regs.clear()
            self.t.set_register(tid, tdesc.INDEX["rip"], hexnum(rest))
        tid = self.c_tid if self.c_tid not in (0, -1) else None
        return self._resume(c in (b"s", b"S"), tid, sig)

    def _resume(self, step: bool, tid: int | None, sig: int) -> bytes | None:
        if self.t.exited is not None:
            return self.stop_reply(self.t.exited)
        if tid is not None:
            self._need_thread(tid)
        return self._run(lambda: self.t.resume(step, tid or self._stop_tid(), sig), self.t.may_run_long(step))

    def _reverse(self, _c, rest: bytes) -> bytes | None:
        if not self.t.reverse or rest not in (b"s", b"c"):
            return b""
        if self.t.exited is not None:
            return self.stop_reply(self.t.exited)
        return self._run(lambda: self.t.reverse_resume(rest == b"s"), rest == b"c")

    def _run(self, go, long: bool = True) -> bytes | None:
        """Resume the target; while it may run long, Ctrl-C from gdb is watched for (a
        single instruction of one thread needs no watcher: it ends by itself)."""
        self._regs.clear()
        with self.conn.watching(self.t.interrupt) if long else contextlib.nullcontext():
            self.t.capturing = True
            try:
                ev = go()
            finally:
                self.t.capturing = False
        self.console(self.t.take_console())
        if self.conn.closed is not None:
            self.finished = "closed"
            return None
        self.last_stop = ev
        return self.stop_reply(ev)

    def stop_reply(self, ev: StopEvent) -> bytes:
        if ev.kind == "exited":
            return b"W%02x" % ev.status
        if ev.kind == "terminated":
            return b"X%02x" % ev.signal
        out = b"T%02x" % ev.signal
        if ev.reason is not None:
            out += ev.reason[0].encode() + b":" + ev.reason[1].encode() + b";"
        tid = ev.tid if ev.tid is not None else self._stop_tid()
        out += b"thread:%x;" % tid
        regs = self.t.trace_registers(tid) if tid in self.t.threads() else None
        for name in EXPEDITE if regs is not None else ():
            n = tdesc.INDEX[name]
            out += b"%02x:%s;" % (n, tdesc.encode_one(tdesc.REGS[n], regs[name]))
        return out

    def console(self, lines: list[str]) -> None:
        """Text for gdb's console: ``O`` packets (allowed while the target runs and during
        ``qRcmd``), each at most half a packet of hex."""
        data = "".join(line if line.endswith("\n") else line + "\n" for line in lines).encode("utf-8")
        step = (MAX_PACKET - 2) // 2
        for i in range(0, len(data), step):
            self.conn.send(b"O" + tohex(data[i:i + step]))

    # -- the end -----------------------------------------------------------------------------------------
    def _kill(self) -> None:
        self.finished = "killed"
        return None

    def _detach(self, _c, rest: bytes) -> bytes:
        self.finished = "detached"
        return b"OK"

    def _xfer(self, arg: bytes) -> bytes:
        obj, _, rest = arg.partition(b":")
        op, _, rest = rest.partition(b":")
        annex, _, span = rest.rpartition(b":")
        if op != b"read":
            return b""
        if obj == b"features":
            if annex != b"target.xml":
                return b"E00"
            data = tdesc.target_xml().encode()
        elif obj == b"exec-file":
            path = self.t.exec_path
            if path is None:
                return b"E00"
            data = path.encode()
        else:
            return b""
        off, length = self._addr_len(span)
        piece = data[off:off + min(length, XFER_MAX)]
        more = off + len(piece) < len(data)
        return (b"m" if more else b"l") + escape(piece)
