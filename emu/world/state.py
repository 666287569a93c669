"""emu/world/state.py — the world at a glance: every G, M, P, the scheduler, sysmon's next wake.

``world_state(w)`` returns plain data (JSON-ready: ints, strings, lists, dicts) for the REPL
to show or query; ``render_state(state)`` is its text view. Reading the state changes nothing.
"""
from __future__ import annotations


def _goid(gp) -> int | None:
    return None if gp is None else gp.goid


def _runq(pp) -> list[int]:
    return [pp.runq[i % len(pp.runq)].goid for i in range(pp.runqhead, pp.runqtail)]


def _global_runq(sched) -> list[int]:
    out, gp = [], sched.runqhead
    while gp is not None and len(out) <= sched.runqsize:
        out.append(gp.goid)
        gp = gp.schedlink
    return out


def _thread(w, th) -> dict:
    wait = th.wait
    due = None
    for t, _seq, kind, obj, ver in w.queue:
        if kind == 0 and obj is th and ver == th.ver:
            due = t if due is None else min(due, t)
    return {"tid": th.tid, "m": th.m.id, "state": th.state, "clock": th.t, "doing": th.doing,
            "g": _goid(th.g) if th.g is not None and th.g is not th.m.g0 else None,
            "in_runtime": th.glet is not None,
            "waits_for": None if wait is None else wait.block.describe(),
            "next_run": due}


def world_state(w) -> dict:
    """Every thread (M), goroutine, P and the scheduler's queues, as data."""
    rt, sched = w.rt, w.rt.sched
    idle_ms = []
    mp = sched.midle
    while mp is not None:
        idle_ms.append(mp.id)
        mp = mp.schedlink
    threads = [_thread(w, th) for th in w.threads.values()]
    sysmon = next((t for t, th in zip(threads, w.threads.values())
                   if th.m is not None and getattr(th.m.mstartfn, "__name__", "") == "sysmon"), None)
    return {
        "now": w.clock.now_ns,
        "next_event": None if w.horizon() >= 1 << 62 else w.horizon(),
        "done": list(w.done) if w.done else None,
        "threads": threads,
        "gs": [{"goid": gp.goid, "status": w.prof.gstatusname(gp.atomicstatus),
                "m": None if gp.m is None else gp.m.id, "waitreason": gp.waitreason,
                "in_runtime": gp in w.entered and gp.atomicstatus != w.prof._Gdead}
               for gp in rt.allgs],
        "ms": [{"id": th.m.id, "tid": th.tid, "curg": _goid(th.m.curg),
                "p": None if th.m.p is None else th.m.p.id,
                "nextp": None if th.m.nextp is None else th.m.nextp.id,
                "spinning": th.m.spinning, "idle": th.m.id in idle_ms,
                "sysmon": getattr(th.m.mstartfn, "__name__", "") == "sysmon"}
               for th in w.threads.values()],
        "ps": [{"id": pp.id, "status": w.prof.pstatusname(pp.status), "m": None if pp.m is None else pp.m.id,
                "runnext": _goid(pp.runnext), "runq": _runq(pp), "schedtick": pp.schedtick,
                "syscalltick": pp.syscalltick} for pp in rt.allp],
        "sched": {"runq": _global_runq(sched), "npidle": sched.npidle, "nmidle": sched.nmidle,
                  "nmspinning": sched.nmspinning, "sysmonwait": sched.sysmonwait,
                  "mcount": rt.mcount()},
        "sysmon": None if sysmon is None else {"m": sysmon["m"], "state": sysmon["state"],
                                               "waits_for": sysmon["waits_for"],
                                               "next_wake": sysmon["next_run"]},
    }


def render_state(st: dict) -> str:
    """The text view of world_state()."""
    lines = [f"t = {st['now']} ns; next event at {st['next_event']} ns"
             + (f"; the run has ended: {' '.join(map(str, st['done']))}" if st["done"] else "")]
    s = st["sched"]
    lines.append(f"sched: runq {s['runq'] or '[]'}  npidle {s['npidle']}  nmidle {s['nmidle']}  "
                 f"nmspinning {s['nmspinning']}  sysmonwait {s['sysmonwait']}  mcount {s['mcount']}")
    if st["sysmon"]:
        sm = st["sysmon"]
        lines.append(f"sysmon: m{sm['m']} {sm['state']}, next wake at {sm['next_wake']} ns"
                     + (f" ({sm['waits_for']})" if sm["waits_for"] else ""))
    lines.append("Ps:")
    for p in st["ps"]:
        m = "-" if p["m"] is None else f"m{p['m']}"
        nxt = "" if p["runnext"] is None else f" runnext g{p['runnext']}"
        lines.append(f"  p{p['id']}  {p['status']:<10} {m:<5} runq {p['runq']}{nxt}  "
                     f"schedtick {p['schedtick']} syscalltick {p['syscalltick']}")
    lines.append("Ms:")
    for m, th in zip(st["ms"], st["threads"]):
        role = " (sysmon)" if m["sysmon"] else ""
        curg = "-" if m["curg"] is None else f"g{m['curg']}"
        p = "-" if m["p"] is None else f"p{m['p']}"
        lines.append(f"  m{m['id']:<4} thread {m['tid']}{role}: {th['state']}, curg {curg}, p {p}"
                     + (", spinning" if m["spinning"] else "") + (", on midle" if m["idle"] else "")
                     + f"; {th['doing']}")
    lines.append("Gs:")
    for g in st["gs"]:
        m = "" if g["m"] is None else f" on m{g['m']}"
        why = f" ({g['waitreason']})" if g["waitreason"] else ""
        lines.append(f"  g{g['goid']:<5} {g['status']}{m}{why}")
    return "\n".join(lines)
