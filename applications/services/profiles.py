"""The contributor profile that eligibility rules read."""

from datetime import datetime

from applications.models import ContributorProfile
from programs.profiles import profile_save


def contributor_profile_save(*, user, changes: dict, now: datetime) -> ContributorProfile:
    """Create or update the user's contributor profile (recorded in the audit log)."""
    profile = ContributorProfile.objects.filter(user=user).first() or ContributorProfile(user=user)
    return profile_save(profile=profile, by=user, changes=changes, now=now)
