"""The race harness of the PostgreSQL tests: actions run in threads released together."""

from __future__ import annotations

import threading

from django.core.exceptions import ValidationError
from django.db import connection

from muroran_kyodo.lib.workflow import TransitionError


def race(*actions, refusals=(TransitionError, ValidationError), timeout=60):
    """Run the actions in threads released together; each outcome "done", "refused" (one of
    `refusals`) or the unexpected error, sorted. Each thread closes its own connection."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes[index] = "done"
        except refusals:
            outcomes[index] = "refused"
        except Exception as error:  # reported by the assertion
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return sorted(outcomes)
