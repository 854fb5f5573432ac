"""Hypothesis profiles of the fuzz tests: `ci` (the default, in `make test`: a few inputs per
form, the same ones every run) and `long` (`make fuzz`: hundreds per form, new ones each run,
failures kept in .hypothesis/ and tried first next time). HYPOTHESIS_PROFILE picks one."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

# Big inputs and slow requests are the point here; a given inside a test is by design (one
# run per form). Names a given hypothesis release lacks are skipped.
_SLOW_IS_FINE = [
    getattr(HealthCheck, name)
    for name in (
        "too_slow",
        "data_too_large",
        "large_base_example",
        "filter_too_much",
        "function_scoped_fixture",
        "differing_executors",
        "nested_given",
    )
    if hasattr(HealthCheck, name)
]

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "6")),
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking in CI: a finding fails at once with the input that found it (the long
    # profile shrinks it to the smallest).
    phases=[Phase.explicit, Phase.generate],
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "500")),
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
