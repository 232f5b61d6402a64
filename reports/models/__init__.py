"""Models of reports: the GSoC archive (archive.py) and published statistics (publications.py)."""

from reports.models.archive import *  # noqa: F403
from reports.models.publications import *  # noqa: F403
