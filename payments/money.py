"""Money arithmetic in one place: Decimal, rounded half-up to cents, split without losing a cent."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(value: Decimal) -> Decimal:
    """Round to whole cents, half up (1.005 -> 1.01)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def split(total: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Parts of `total` by percentages that add up to 100; the parts always add up to `total`:
    every part but the last is rounded, the last takes what is left."""
    if sum(percents) != 100:
        raise ValueError(f"Shares must add up to 100%, not {sum(percents)}%.")
    total = to_cents(total)
    parts = [to_cents(total * Decimal(p) / 100) for p in percents[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))
