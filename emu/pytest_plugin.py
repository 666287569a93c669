"""emu/pytest_plugin.py — the golden-trace pytest plugin (registered by entry point)."""
