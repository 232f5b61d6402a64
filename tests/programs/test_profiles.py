"""Profile saves of both seasons go through one service: validated, saved, and recorded in the
audit log by the names of the fields that changed, never their values (they are personal)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications.models import ContributorProfile
from audit.models import AuditEntry
from docs_season.models import WriterProfile

pytestmark = pytest.mark.django_db


def entries(user):
    return list(AuditEntry.objects.filter(actor=user).order_by("pk"))


def test_a_contributor_profile_page_save_is_audited_without_its_values(cast, client):
    client.force_login(cast.outsider)
    form = {
        "country_of_residence": "DE",
        "timezone": "Europe/Berlin",
        "date_of_birth": "2001-02-03",
    }
    assert client.post(reverse("contributor_profile"), form).status_code == 302
    profile = ContributorProfile.objects.get(user=cast.outsider)
    assert profile.date_of_birth == date(2001, 2, 3)
    (entry,) = entries(cast.outsider)
    assert (entry.action, entry.object_type) == (
        "contributorprofile.create",
        "applications.contributorprofile",
    )
    assert "2001" not in str(entry.after) and "date_of_birth" in entry.after["fields"]

    form["timezone"] = "Asia/Kolkata"
    client.post(reverse("contributor_profile"), form)
    assert entries(cast.outsider)[-1].after == {"fields": ["timezone"]}
    client.post(reverse("contributor_profile"), form)  # nothing changed: nothing logged
    assert len(entries(cast.outsider)) == 2


def test_a_writer_profile_save_is_audited_too(cast, client):
    client.force_login(cast.outsider)
    form = {
        "display_name": "Ada",
        "country_of_residence": "IN",
        "timezone": "Asia/Kolkata",
        "hours_per_week_min": "5",
        "hours_per_week_max": "20",
        "is_public": "on",
    }
    assert client.post(reverse("writer_profile"), form).status_code == 302
    assert WriterProfile.objects.get(user=cast.outsider).display_name == "Ada"
    assert entries(cast.outsider)[-1].action == "writerprofile.create"


def test_a_refused_profile_keeps_the_fields_and_logs_nothing(cast, client):
    client.force_login(cast.outsider)
    form = {"country_of_residence": "Germany", "timezone": "Mars/Olympus"}
    page = client.post(reverse("contributor_profile"), form)
    assert page.status_code == 400
    assert 'value="Germany"' in page.content.decode()
    assert not ContributorProfile.objects.filter(user=cast.outsider).exists()
    assert entries(cast.outsider) == []


def test_the_service_validates_before_it_saves(cast):
    from applications.services.profiles import contributor_profile_save

    with pytest.raises(ValidationError):
        contributor_profile_save(
            user=cast.outsider, changes={"country_of_residence": "de"}, now=cast.program.created_at
        )
    assert not ContributorProfile.objects.filter(user=cast.outsider).exists()
