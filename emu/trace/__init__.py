"""emu/trace — one event stream and what reads it: events, the per-instruction tracer, the
recorder, the text renderer, the trace formats, diff, golden files and the pytest plugin."""
