"""The contributor profile page."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.utils import timezone

from applications.forms import ContributorProfileForm
from applications.services.profiles import contributor_profile_save
from programs.profiles import profile_page


@login_required
def contributor_profile(request):
    """Create or edit the contributor profile that eligibility rules read."""
    save = partial(contributor_profile_save, user=request.user, now=timezone.now())
    return profile_page(
        request, form_class=ContributorProfileForm, title="Contributor profile", save=save
    )
