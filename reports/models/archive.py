"""The public GSoC archive imported as past seasons (filled by the archive importer work)."""

__all__: list[str] = []
