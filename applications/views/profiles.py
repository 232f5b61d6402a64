"""Contributor and technical-writer profile pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from applications.forms import ContributorProfileForm
from applications.models import ContributorProfile


def _edit_profile(request, model, form_class, title):
    instance = model.objects.filter(user=request.user).first()
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        profile.user = request.user
        profile.save()
        messages.success(request, f"Your {title.lower()} was saved.")
        return redirect("dashboard")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "applications/profile_form.html", {"form": form, "title": title}, status=status
    )


@login_required
def contributor_profile(request):
    """Create or edit the contributor profile that eligibility rules read."""
    return _edit_profile(request, ContributorProfile, ContributorProfileForm, "Contributor profile")
