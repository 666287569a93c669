"""tests/conftest.py — Hypothesis profiles for the whole suite.

``default`` keeps the normal run fast; ``long`` tries thousands of inputs per property:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/props tests/sandbox -q

Tests that set ``max_examples`` themselves keep their own count; tests/props scale theirs
from the loaded profile (``settings().max_examples``).
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile("long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
