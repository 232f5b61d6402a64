"""Where the real GSoC archive is, when it is there at all."""

from pathlib import Path

from django.conf import settings

REAL_ARCHIVE = Path(settings.BASE_DIR).parent / "shared" / "data" / "gsoc-archive-2022.json"
