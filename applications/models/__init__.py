"""Models of applications: profiles and the coding season (coding.py), the docs season (docs.py)."""

from applications.models.coding import *  # noqa: F403
from applications.models.docs import *  # noqa: F403
from applications.models.evaluations import *  # noqa: F403
