"""Public pages render what each viewer may see, with every instant in UTC and local time."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse

from programs.models import ParticipationStatus
from tests.factories import ParticipationFactory

pytestmark = pytest.mark.django_db


def test_when_tag_renders_utc_and_marks_it_for_local_time():
    moment = datetime(2023, 4, 4, 18, 0, tzinfo=UTC)
    html = Template("{% load seasons %}{% when moment %}").render(Context({"moment": moment}))
    assert '<time datetime="2023-04-04T18:00:00Z" data-local="datetime">' in html
    assert "Tue 04 Apr 2023, 18:00 UTC" in html


def test_when_tag_converts_aware_times_of_other_zones_to_utc():
    from zoneinfo import ZoneInfo

    moment = datetime(2023, 4, 4, 23, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    html = Template("{% load seasons %}{% when moment %}").render(Context({"moment": moment}))
    assert 'datetime="2023-04-04T18:00:00Z"' in html


def test_public_pages_render_for_anonymous_visitors(cast, client):
    org = cast.participation.organization
    for url in (
        reverse("home"),
        reverse("program_list"),
        reverse("program_detail", args=[cast.program.slug]),
        reverse("program_detail", args=[cast.docs_program.slug]),
        reverse("program_organizations", args=[cast.program.slug]),
        reverse("organization_detail", args=[org.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1" in response.content


def test_program_page_shows_timeline_with_both_times(cast, client):
    response = client.get(reverse("program_detail", args=[cast.program.slug]))
    text = response.text
    assert "Contributor applications" in text
    assert 'datetime="2023-04-04T18:00:00Z"' in text
    assert "Tue 04 Apr 2023, 18:00 UTC" in text
    assert reverse("program_ics", args=[cast.program.slug]) in text
    assert "js/localtime.js" in text


def test_accepted_orgs_page_lists_only_accepted_orgs(cast, client):
    pending = ParticipationFactory(program=cast.program, status=ParticipationStatus.APPLIED)
    response = client.get(reverse("program_organizations", args=[cast.program.slug]))
    assert cast.participation.organization.name in response.text
    assert pending.organization.name not in response.text


def test_pending_applications_are_visible_only_to_members_and_managers(cast, client):
    pending = ParticipationFactory(program=cast.program, status=ParticipationStatus.APPLIED)
    org_url = reverse("organization_detail", args=[pending.organization.slug])
    assert cast.program.name not in client.get(org_url).text
    client.force_login(cast.manager)
    assert cast.program.name in client.get(org_url).text


def test_unknown_pages_are_friendly_404s(client, db):
    response = client.get("/programs/no-such-program/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content
