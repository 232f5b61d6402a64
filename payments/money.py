"""Money arithmetic in one place: Decimal, rounded half-up to cents, split without losing a cent."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(value: Decimal) -> Decimal:
    """Round to whole cents, half up (1.005 -> 1.01)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def split(total: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Parts of `total` by percentages that add up to 100. The parts always add up to `total` and
    none is negative: each part gets its share rounded down to the cent, and the cents left over
    go one each to the parts with the largest remainders (ties to the earlier part)."""
    if sum(percents) != 100:
        raise ValueError(f"Shares must add up to 100%, not {sum(percents)}%.")
    cents = int(to_cents(total) * 100)
    shares = [Decimal(cents) * Decimal(p) / 100 for p in percents]
    floors = [int(share) for share in shares]  # shares are never negative: int() rounds down
    left = cents - sum(floors)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [(Decimal(part) / 100).quantize(CENT) for part in floors]


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))
