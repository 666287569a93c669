"""bench/table.py — figures as the benchmark table shows them: median, min and max of repeats."""
from __future__ import annotations

import statistics


def summarize(vals: list[float]) -> tuple[float, float, float]:
    """(median, min, max) of repeated measurements."""
    return statistics.median(vals), min(vals), max(vals)


def measure(fn, reps: int) -> tuple[float, float, float]:
    """(median, min, max) of ``reps`` calls of ``fn`` (each returns one figure)."""
    return summarize([fn() for _ in range(reps)])


def row(name: str, figure, unit: str, note: str = "") -> str:
    if isinstance(figure, tuple):
        med, lo, hi = figure
        fig = f"{_fmt(med)} {unit} (min {_fmt(lo)}, max {_fmt(hi)})"
    else:
        fig = figure
    return f"| {name} | {fig} | {note} |"


def _fmt(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"
