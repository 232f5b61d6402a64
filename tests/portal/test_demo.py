"""`load_demo_data` loads the real 2023 timelines and is idempotent."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.test import Client

from programs.models import Milestone, MilestoneKind, Program

pytestmark = pytest.mark.django_db


def snapshot():
    rows = []
    for model in apps.get_models():
        if model._meta.app_label in {"accounts", "programs", "applications", "account", "auth"}:
            rows.extend(serializers.serialize("python", model.objects.order_by("pk")))
    return rows


def test_running_twice_changes_nothing():
    call_command("load_demo_data", stdout=StringIO())
    first = snapshot()
    call_command("load_demo_data", stdout=StringIO())
    assert snapshot() == first


def test_dry_run_changes_nothing():
    out = StringIO()
    call_command("load_demo_data", "--dry-run", stdout=out)
    assert "nothing was changed" in out.getvalue()
    assert not Program.objects.exists()


def test_it_prints_the_url_and_one_account_per_role():
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    text = out.getvalue()
    assert "http://" in text
    for role in ("program manager", "org admin", "mentor", "contributor", "technical writer"):
        assert role in text


def test_gsoc_2023_deadline_is_the_real_one():
    call_command("load_demo_data", stdout=StringIO())
    window = Milestone.objects.get(
        program__slug="gsoc-2023", kind=MilestoneKind.CONTRIBUTOR_APPLICATIONS
    )
    assert window.starts_at == datetime(2023, 3, 20, 18, tzinfo=UTC)
    assert window.ends_at == datetime(2023, 4, 4, 18, tzinfo=UTC)
    hiring = Milestone.objects.get(program__slug="sod-2023", kind=MilestoneKind.HIRING_DEADLINE)
    assert hiring.ends_at == datetime(2023, 5, 10, 18, tzinfo=UTC)
    assert (
        Milestone.objects.filter(
            program__slug="sod-2023", kind=MilestoneKind.MONTHLY_EVALUATION
        ).count()
        == 5
    )


def test_demo_accounts_sign_in_and_see_live_work():
    from portal.demo.accounts import DEMO_PASSWORD

    call_command("load_demo_data", stdout=StringIO())
    client = Client()
    expected = {
        "manager@demo.seasons.test": 'data-role="manager"',
        "orgadmin@demo.seasons.test": 'data-role="org_admin"',
        "mentor@demo.seasons.test": 'data-role="mentor"',
        "contributor@demo.seasons.test": "submit your proposals",
        "writer@demo.seasons.test": "statements of interest",
    }
    for email, marker in expected.items():
        response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        page = client.get("/dashboard/")
        assert marker in page.text, email
        client.post("/accounts/logout/")
