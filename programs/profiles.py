"""Saving a person's profile of either season (contributor or technical writer): one service
and one page, so both record the change in the audit log the same way."""

from datetime import datetime

from django.contrib import messages
from django.db import models, transaction
from django.shortcuts import redirect, render

from audit.services import audit_record


def profile_save(*, profile: models.Model, by, changes: dict, now: datetime) -> models.Model:
    """Apply `changes` to the profile of `by` (new or existing), validate and save it, and log
    which fields changed: the values are personal data and stay out of the audit log."""
    created = profile.pk is None
    changed = sorted(name for name, value in changes.items() if getattr(profile, name) != value)
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.full_clean()
    with transaction.atomic():
        profile.save()
        if created or changed:
            audit_record(
                actor=by,
                action=f"{profile._meta.model_name}.{'create' if created else 'update'}",
                obj=profile,
                before={},
                after={"fields": changed},
                at=now,
            )
    return profile


def profile_page(request, *, form_class, title: str, save):
    """The page that edits the viewer's profile: `save(changes=…)` stores the form's fields."""
    instance = form_class._meta.model.objects.filter(user=request.user).first()
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        save(changes={name: form.cleaned_data[name] for name in form._meta.fields})
        messages.success(request, f"Your {title.lower()} was saved.")
        return redirect("dashboard")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": title}
    return render(request, "programs/profile_form.html", context, status=status)
