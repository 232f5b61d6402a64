"""The admin shows the state of doc proposals, case studies and participations but cannot move
it: states move only through the services, which check the timeline and write the audit log."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from docs_season.models import CaseStudy, DocProposal
from programs.models import Participation

pytestmark = pytest.mark.django_db


def objects(cast):
    return {
        DocProposal: DocProposal.objects.create(participation=cast.docs_participation),
        CaseStudy: CaseStudy.objects.create(participation=cast.docs_participation),
        Participation: cast.participation,
    }


@pytest.mark.parametrize("model", [DocProposal, CaseStudy, Participation])
def test_the_change_form_has_no_status_field(cast, admin_user, model):
    obj = objects(cast)[model]
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert "status" in model_admin.get_readonly_fields(request, obj)
    assert "status" not in model_admin.get_form(request, obj).base_fields


@pytest.mark.parametrize("model", [DocProposal, CaseStudy, Participation])
def test_the_change_page_shows_the_status_without_an_input(cast, admin_client, model):
    obj = objects(cast)[model]
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert obj.get_status_display() in page.content.decode()


def test_whether_mentors_read_the_contributors_evaluation_is_set_in_the_admin(cast, admin_client):
    url = reverse("admin:programs_program_change", args=[cast.program.pk])
    assert 'name="mentors_read_contributor_evaluations"' in admin_client.get(url).content.decode()
