"""Demo and benchmark data of the registry, called by `python manage.py seed_demo`.

`seed()` adds a dozen realistic Muroran organisations, their members and some collaboration
projects; `seed_volume()` adds N synthetic verified organisations for the benchmark. Both
are idempotent: rows are looked up by their natural key (name, title + 年度) and only the
missing ones are created, so a second run changes nothing.

Verification goes through `services.organization_verify` / `organization_return`, so every
demo organisation has the same history rows as a real one. The synthetic volume rows are
bulk-created as verified, each with one history row, because going through the service
for thousands of rows would only measure the seeding.
"""

from .seed import seed
from .volume import VOLUME_PREFIX, VOLUME_PROJECT_PREFIX, seed_volume, volume_name

__all__ = ["VOLUME_PREFIX", "VOLUME_PROJECT_PREFIX", "seed", "seed_volume", "volume_name"]
