"""Wait estimate for a new ticket: a range, never a single promise.

In M/M/c the queue-length estimate (n ahead + 1)/(c·μ) is the best point estimate;
no point estimate beats a relative spread of 1/sqrt(n+1), so we print that range.
"""

from __future__ import annotations

import math


def wait_range(people_ahead: int, servers: int, avg_service_minutes: float) -> tuple[int, int]:
    servers = max(1, servers)
    point = (people_ahead + 1) * avg_service_minutes / servers
    spread = 1.0 / math.sqrt(people_ahead + 1)
    low = max(0.0, point * (1.0 - spread))
    high = point * (1.0 + spread)
    return int(math.floor(low)), int(math.ceil(high))


def mean_service_minutes(recent: list[float] | None, configured: float, min_samples: int = 5) -> float:
    """Learn from today's finished services once there are enough of them."""
    if recent and len(recent) >= min_samples:
        return max(0.5, sum(recent) / len(recent))
    return configured
