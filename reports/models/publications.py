"""Published statistics: immutable, signed snapshots (filled by the statistics work)."""

__all__: list[str] = []
