"""Published statistics and the GSoC archive (models are added by the reporting work)."""
