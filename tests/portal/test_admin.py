"""Program managers work in the Django admin; nobody else gets in."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_managers_reach_program_data_in_the_admin(cast, client):
    client.force_login(cast.manager)
    assert client.get(reverse("admin:index")).status_code == 200
    changelist = client.get(reverse("admin:programs_participation_changelist"))
    assert changelist.status_code == 200
    assert cast.participation.organization.name in changelist.text
    edit = reverse("admin:programs_program_change", args=[cast.program.pk])
    assert client.get(edit).status_code == 200


@pytest.mark.parametrize("role", ["org_admin", "mentor", "contributor", "writer", "outsider"])
def test_everyone_else_is_sent_to_the_admin_login(cast, client, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("admin:programs_program_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_favicon_is_served_locally(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("favicon.svg")
