"""Demo and volume data of the subsidy, for `seed_demo`.

`seed()`: this 年度's three programmes (市民提案型 with its 第1期 open now, 行政提案型 whose
window has closed, 若者チャレンジ応援事業 open all year), with categories, criteria and required
documents; two committee members; applications of the demo organisations in every state that
matters (draft, submitted, returned, under review with scores, adopted, granted, reported,
confirmed, paid, rejected), each taken there through `subsidies.services` so that receipt
numbers, history rows and e-mails (to the in-memory backend) exist; and the year's 報告会.
Idempotent: programmes are found by 年度 and track, applications by programme, organisation and
title, so a second run creates nothing.

`seed_volume(count)`: `count` synthetic applications of the volume organisations to programmes
of the ten years before this one ('HSV-' numbers), with plan budgets, and reviews with scores
for those that went to the committee; bulk-created, not through the services (their history
is not needed). This year's programmes are left alone, so that the demo's budgets stay right.
"""

from .data import APPLICATIONS, PROGRAMMES, REVIEWERS
from .seed import seed
from .volume import VOLUME_PREFIX, seed_volume

__all__ = ["APPLICATIONS", "PROGRAMMES", "REVIEWERS", "VOLUME_PREFIX", "seed", "seed_volume"]
