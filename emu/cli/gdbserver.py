"""emu/cli/gdbserver.py — ``gosyscall gdbserver``: the call, served to your own gdb.

Takes ``run``'s arguments (the call, ``--profile``, ``--asm``, ``--fs``, the thread world's
options), ``--listen HOST:PORT`` (default 127.0.0.1:1234; port 0 picks a free one) and
``--wait T`` (how long gdb may take to connect).
It prints where it listens and the symbol file it wrote, waits for one gdb connection,
serves it (emu/gdbserver/), and says how the session ended.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile

from emu.bridge.argspec import parse_duration
from emu.errors import GosyscallError

DEFAULT_LISTEN = "127.0.0.1:1234"
DEFAULT_WAIT_NS = 3600 * 10**9      # an hour for the user to start gdb; then one line and exit


def add_parser(sub, h) -> None:
    p = sub.add_parser("gdbserver", help="serve the call to gdb over its remote protocol "
                       "(target remote 127.0.0.1:PORT)")
    h.call_args(p)
    h.common(p)
    p.add_argument("--listen", default=DEFAULT_LISTEN, metavar="HOST:PORT",
                   help=f"address to listen on (default {DEFAULT_LISTEN}; loopback only unless you "
                        "name another address; port 0: any free port, printed)")
    p.add_argument("--wait", type=parse_duration, default=DEFAULT_WAIT_NS, metavar="T",
                   help="how long to wait for gdb to connect, e.g. 30s, 10m (default 1h)")
    p.add_argument("--symbols", metavar="DIR",
                   help="write the symbol file and source listings into DIR and keep them "
                        "(default: a temporary directory, removed at the end)")
    from emu.world import options
    options.add_arguments(p)         # fd:pipe@T, --runnable, --gomaxprocs, --warm: the thread world


def run(ns, out=None) -> int:
    from emu.gdbserver.conn import Connection
    from emu.gdbserver.listen import accept_one, open_listener, parse_listen
    from emu.gdbserver.server import Server
    from emu.gdbserver.setup import open_target
    out = out or sys.stdout
    host, port = parse_listen(ns.listen)
    directory = ns.symbols or tempfile.mkdtemp(prefix="gosyscall-gdb-")
    os.makedirs(directory, exist_ok=True)
    try:
        target, lines, close = open_target(ns, directory)
        try:
            listener = open_listener(host, port)
            where = listener.getsockname()
            shown = f"[{where[0]}]:{where[1]}" if ":" in where[0] else f"{where[0]}:{where[1]}"
            for line in lines:
                print(line, file=out)
            print(f"symbols: {target.exec_path} (gdb loads it itself through qXfer:exec-file)", file=out)
            print(f"listening on {shown}; connect with: gdb -ex 'target remote {shown}'", file=out, flush=True)
            try:
                conn = Connection(accept_one(listener, ns.wait / 1e9))
            except TimeoutError as e:
                raise GosyscallError(str(e)) from None
            server = Server(target, conn)
            how = server.serve()
            print(_ending(how, target, conn), file=out)
            if how == "detached":
                for line in target.run_detached():
                    print(line, file=out)
        finally:
            close()
    finally:
        if not ns.symbols:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


def _ending(how: str, target, conn) -> str:
    if target.exited is not None and how == "closed":
        ev = target.exited
        what = f"exited with status {ev.status}" if ev.kind == "exited" else f"was killed by signal {ev.signal}"
        return f"the process {what}; gdb disconnected"
    return {"killed": "gdb killed the process",
            "detached": "gdb detached; the call runs on without it:"}.get(how, f"connection ended: {conn.closed}")
