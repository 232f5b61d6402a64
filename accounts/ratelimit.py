"""Per-user limits in the shared cache, for the writes that allauth's and DRF's limits miss.

A fixed window per user: one atomic INCR per request in Redis (allauth's history list costs a
lock and three more round trips, too much for the proposal autosave at a deadline). Every web
process counts in the same cache, so the limit holds across gunicorn workers. While Redis is
unreachable the cache grants every add (portal/redis_cache.py): each request counts as the first
of its window, and the limit fails open.
"""

import contextlib
import math
import re
import time

from django.core.cache import cache

RATE = re.compile(r"(?P<amount>\d+)/(?P<count>\d*)(?P<unit>[smhd])")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'20/m' -> (20, 60); '100/10m' -> (100, 600)."""
    match = RATE.fullmatch(rate.strip())
    if match is None:
        raise ValueError(f"{rate!r} is not a rate such as 20/m or 100/10m.")
    seconds = int(match["count"] or 1) * UNIT_SECONDS[match["unit"]]
    return int(match["amount"]), seconds


def consume(*, scope: str, ident: str, rate: str, now: float | None = None) -> int | None:
    """Count one request of `ident` in `scope`: None while within `rate`, else the seconds
    until the current window ends (the Retry-After)."""
    amount, seconds = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // seconds)
    key = f"ratelimit:{scope}:{ident}:{window}"
    # add() starts the window; incr() is atomic, so concurrent requests never share a count.
    if cache.add(key, 1, seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls: a new window
            cache.add(key, 1, seconds + 1)
            count = 1
    if count <= amount:
        return None
    return max(1, math.ceil((window + 1) * seconds - now))


def release(*, scope: str, ident: str, rate: str, now: float) -> None:
    """Take back one request that consume() counted at `now` (same window): a request that was
    refused or turned out well. Nothing to take back once that window is over or uncounted."""
    _amount, seconds = parse_rate(rate)
    key = f"ratelimit:{scope}:{ident}:{int(now // seconds)}"
    # ValueError: the window ended, or Redis is unreachable (nothing was kept).
    with contextlib.suppress(ValueError):
        cache.decr(key)
