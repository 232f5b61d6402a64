"""The technical writer's public profile in the directory."""

from datetime import datetime

from docs_season.models import WriterProfile
from programs.profiles import profile_save


def writer_profile_save(*, user, changes: dict, now: datetime) -> WriterProfile:
    """Create or update the user's writer profile (recorded in the audit log)."""
    profile = WriterProfile.objects.filter(user=user).first() or WriterProfile(user=user)
    return profile_save(profile=profile, by=user, changes=changes, now=now)
