"""emu/world/report.py — scenario results as tables, distributions, a plot, a progress bar.

Everything printed is virtual time read off the runs; no host time is ever printed (the
progress bar only uses the host clock to decide whether a run is slow enough to show it).
"""
from __future__ import annotations

import math
import sys
import time

SAMPLES = (100_000, 300_000, 1_000_000, 3_000_000, 10_000_000, 30_000_000, 100_000_000,
           300_000_000, 1_000_000_000)       # when to read the M count: 0.1 ms .. 1 s


def dur(ns: int | None) -> str:
    """Virtual time for people: 76.2 µs, 14.30 ms, 1.000 s; '—' for never."""
    if ns is None:
        return "—"
    if ns < 1_000:
        return f"{ns} ns"
    if ns < 1_000_000:
        return f"{ns / 1e3:.1f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e9:.3f} s"


def table(head: list[str], rows: list[list], right: set[int] | None = None) -> list[str]:
    """Columns padded to their widest cell; numbers (and columns in ``right``) right-aligned."""
    cells = [[str(c) for c in r] for r in [head] + rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    right = right if right is not None else {i for i in range(len(head))
                                             if all(isinstance(r[i], int) for r in rows)}
    out = []
    for r in cells:
        out.append("  ".join(c.rjust(w) if i in right else c.ljust(w)
                             for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    return out


def m_at(series: list, t: int) -> int:
    """Threads existing at virtual time t (series: [t, count] at each creation)."""
    n = 0
    for ts, c in series:
        if ts > t:
            break
        n = c
    return n


def m_count_table(results: list[dict]) -> list[str]:
    """The M count of each run at SAMPLES times (up to the run's end)."""
    end = max(r["end_ns"] for r in results)
    cols = [t for t in SAMPLES if t <= end] or [SAMPLES[0]]
    rows = [[r["n"], r["gomaxprocs"]] + [m_at(r["m_series"], t) if t <= r["end_ns"] else ""
                                         for t in cols] for r in results]
    return table(["N", "GOMAXPROCS"] + [f"@{dur(t)}" for t in cols], rows,
                 right=set(range(len(cols) + 2)))


def quantile(xs: list[int], q: float) -> int:
    """Nearest-rank quantile of sorted xs."""
    return xs[max(0, math.ceil(q * len(xs)) - 1)]


def distribution(values: list[int | None]) -> list[str]:
    """Summary (n, min, p10, p50, p90, max, mean) and a histogram with power-of-two bins."""
    xs = sorted(v for v in values if v is not None)
    missing = len(values) - len(xs)
    if not xs:
        return ["no trial measured anything"]
    lines = table(["trials", "min", "p10", "p50", "p90", "max", "mean"],
                  [[len(xs), dur(xs[0]), dur(quantile(xs, .1)), dur(quantile(xs, .5)),
                    dur(quantile(xs, .9)), dur(xs[-1]), dur(sum(xs) // len(xs))]],
                  right=set(range(7)))
    if missing:
        lines.append(f"({missing} trials never got there before the syscall returned)")
    bins: dict[int, int] = {}
    for x in xs:
        b = 1 << max(0, x.bit_length() - 1)
        bins[b] = bins.get(b, 0) + 1
    top = max(bins.values())
    for b in sorted(bins):
        lines.append(f"  [{dur(b):>9}, {dur(2 * b):>9})  {'█' * max(1, round(30 * bins[b] / top))} {bins[b]}")
    return lines


def plot_m_counts(path: str, results: list[dict], title: str) -> None:
    """M count over virtual time, one step line per run, as a PNG (needs matplotlib). Both
    axes are logarithmic, so N = 1 and N = 1000 both show their ramp; a colour per variant
    and N, a line style (and width) per GOMAXPROCS, so runs that coincide stay visible; the
    legend sits outside the plot, where it hides no line."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ValueError("--plot needs matplotlib: pip install 'gosyscall[plot]'") from None
    import io

    from emu.atomic import write_atomic
    fig, ax = plt.subplots(figsize=(10, 4.5))
    colours = plt.get_cmap("tab10").colors
    groups = list(dict.fromkeys((r["variant"], r["n"]) for r in results))
    procs = sorted({r["gomaxprocs"] for r in results})
    styles = ("-", "--", ":", "-.")
    first = min((t for r in results for t, _ in r["m_series"] if t > 0), default=1_000) / 1e6
    for r in results:
        k, j = groups.index((r["variant"], r["n"])), procs.index(r["gomaxprocs"])
        xs = [first / 2] + [max(t / 1e6, first / 2) for t, _ in r["m_series"]] + [r["end_ns"] / 1e6]
        ys = [1] + [max(n, 1) for _, n in r["m_series"]] + [max(r["m_series"][-1][1], 1)]
        ax.step(xs, ys, where="post", color=colours[k % len(colours)], linestyle=styles[j % len(styles)],
                linewidth=2.5 - 0.6 * (j % 3), label=f"{r['variant']} N={r['n']} GOMAXPROCS={r['gomaxprocs']}")
    last = max(r["t_peak_ns"] for r in results) / 1e6
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(first / 2, max(last * 2, first * 10))   # the ramps; then it is flat (Ms never exit)
    ax.set_xlabel("virtual time (ms, log scale)")
    ax.set_ylabel("Ms (OS threads, log scale)")
    ax.set_title(title)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    write_atomic(path, buf.getvalue())


class Progress:
    """A one-line progress bar on stderr, shown only on a terminal and only once a run has
    taken more than a second (the host clock decides *whether* to show, never what)."""

    def __init__(self, label: str, stream=None, delay: float = 1.0):
        self.label, self.stream = label, stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False
        self.enabled = getattr(stream, "isatty", lambda: False)()

    def __call__(self, frac: float) -> None:
        """``frac``: the part of the run's virtual time done, 0 to 1."""
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        frac = min(1.0, frac)
        bar = "#" * int(30 * frac)
        self.stream.write(f"\r{self.label} [{bar:<30}] {100 * frac:3.0f}%")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * (len(self.label) + 40) + "\r")
            self.stream.flush()
