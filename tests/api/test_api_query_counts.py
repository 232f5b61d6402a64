"""Every API endpoint that returns rows runs the same number of queries with 3 rows as with 23,
and no more than its recorded ceiling; tests/portal/test_list_query_counts.py's completeness test
fails for a route listed neither in API_LISTS nor in API_NOT_A_LIST."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, get_resolver
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIClient

from programs.models import Role
from tests.factories import MembershipFactory, ParticipationFactory, ProgramFactory
from tests.portal.test_list_query_counts import (
    FEW,
    MANY,
    _signing_key,
    assert_constant,
    captured,
    grow_announced,
    grow_doc_projects,
    grow_drafts,
    grow_ideas,
    grow_milestones,
    grow_my_payouts,
    grow_my_projects,
    grow_org_programs,
    grow_organizations,
    grow_payouts,
    grow_programs,
    grow_proposals,
)

pytestmark = pytest.mark.django_db


@dataclass
class Endpoint:
    url: Callable
    viewer: str | None
    grow: Callable
    setup: Callable = field(default=lambda cast: None)


def grow_memberships(cast, start, stop):
    slugs = []
    for n in range(start, stop):
        participation = ParticipationFactory(organization__slug=f"member-org-{n:03}")
        MembershipFactory(
            participation=participation,
            user=cast.org_admin,
            role=[Role.ORG_ADMIN, Role.MENTOR][n % 2],
        )
        slugs.append(participation.organization.slug)
    return slugs


def grow_publications(cast, start, stop):
    from django.conf import settings

    from programs.services import manager_grant
    from reports import publishing

    slugs = []
    for n in range(start, stop):
        program = ProgramFactory(slug=f"published-{n:03}", series="gsoc", year=2000 + n)
        manager_grant(program=program, user=cast.manager)
        publishing.statistics_publish(program=program, by=cast.manager, now=_now())
        if n % 4 == 0:
            publishing.statistics_publish(program=program, by=cast.manager, now=_now())
        _signing_key(settings)
        slugs.append(program.slug)
    return slugs


def _now():
    from django.utils import timezone

    return timezone.now()


def grow_statistics(cast, start, stop):
    """More proposals, projects and payouts behind one program's statistics."""
    grow_proposals(cast, start, stop)
    grow_payouts(cast, start, stop)  # each with a project and another organization
    # Aggregates show no row: the final figure stands for all of them.
    applied = cast.program.participations.count()
    return [f'"organizations":{{"applied":{applied},'] if start else []


def _program_query(cast):
    return f"?program={cast.program.slug}"


API_LISTS = {
    "api_programs": Endpoint(lambda c: "/api/v1/programs/", None, grow_programs),
    "api_organizations": Endpoint(lambda c: "/api/v1/organizations/", None, grow_organizations),
    "api_organizations[program]": Endpoint(
        lambda c: "/api/v1/organizations/" + _program_query(c), None, grow_organizations
    ),
    "api_ideas": Endpoint(lambda c: "/api/v1/ideas/" + _program_query(c), None, grow_ideas),
    "api_projects": Endpoint(
        lambda c: "/api/v1/projects/" + _program_query(c), None, grow_announced
    ),
    "api_doc_projects": Endpoint(
        lambda c: f"/api/v1/doc-projects/?program={c.docs_program.slug}",
        None,
        grow_doc_projects,
    ),
    "api_me": Endpoint(lambda c: "/api/v1/me/", "org_admin", grow_memberships),
    "api_my_projects": Endpoint(lambda c: "/api/v1/me/projects/", "mentor", grow_my_projects),
    "api_proposals": Endpoint(
        lambda c: "/api/v1/proposals/" + _program_query(c), "contributor", grow_drafts
    ),
    "api_org_proposals": Endpoint(
        lambda c: (
            f"/api/v1/programs/{c.program.slug}/organizations/"
            f"{c.participation.organization.slug}/proposals/"
        ),
        "org_admin",
        grow_proposals,
    ),
    "api_payouts[manager]": Endpoint(lambda c: "/api/v1/payouts/", "manager", grow_payouts),
    "api_payouts[payee]": Endpoint(lambda c: "/api/v1/payouts/", "contributor", grow_my_payouts),
    "api_payouts[csv]": Endpoint(lambda c: "/api/v1/payouts/?format=csv", "manager", grow_payouts),
    "api_program": Endpoint(lambda c: f"/api/v1/programs/{c.program.slug}/", None, grow_milestones),
    "api_organization": Endpoint(
        lambda c: f"/api/v1/organizations/{c.participation.organization.slug}/",
        None,
        grow_org_programs,
    ),
    "api_program_statistics": Endpoint(
        lambda c: f"/api/v1/programs/{c.program.slug}/statistics/", None, grow_statistics
    ),
    "api_publications": Endpoint(lambda c: "/api/v1/publications/", None, grow_publications),
}

# Queries of each with MANY rows, the same on SQLite and PostgreSQL today: a regression
# beyond fails even where the count stays flat. Lower them when a change saves queries.
# Paginated lists read the page's keys, then its rows (portal.renderers.LateRowPaginator).
CEILINGS = {
    "api_programs": 3,
    "api_organizations": 4,
    "api_organizations[program]": 6,
    "api_ideas": 6,
    "api_projects": 6,
    "api_doc_projects": 6,
    "api_me": 6,
    "api_my_projects": 5,
    "api_proposals": 7,
    "api_org_proposals": 9,
    "api_payouts[manager]": 5,
    "api_payouts[payee]": 5,
    "api_payouts[csv]": 5,
    "api_program": 2,
    "api_organization": 3,
    "api_program_statistics": 13,
    "api_publications": 1,
}

API_NOT_A_LIST = {
    "api_proposal": "one proposal",
    "api_project_evaluations": "one project's four fixed evaluation periods",
    "api_schema": "the OpenAPI document, built from code",
    "api_docs": "a static page",
    "api_redoc": "a static page",
}


@pytest.mark.parametrize("name", list(API_LISTS))
def test_api_list_queries_do_not_grow(cast, settings, name):
    endpoint = API_LISTS[name]
    _signing_key(settings)
    endpoint.setup(cast)
    client = APIClient()
    if endpoint.viewer is not None:
        client.force_login(getattr(cast, endpoint.viewer))
    url = endpoint.url(cast)
    shown = endpoint.grow(cast, 0, FEW)
    few = captured(client, url)
    shown += endpoint.grow(cast, FEW, MANY)
    many = captured(client, url)
    body = client.get(url).content.decode()
    for text in [shown[0], shown[-1]]:
        assert text in body, f"{name}: {text!r} is not in the answer"
    assert_constant(name, few, many, CEILINGS[name])


def test_every_list_view_is_in_the_table():
    """A route whose view lists (DRF's ListModelMixin) can never be declared not a list."""
    listing = set()
    for entry in get_resolver().url_patterns:
        for pattern in getattr(entry, "url_patterns", [entry]):
            view = getattr(getattr(pattern, "callback", None), "view_class", None)
            if isinstance(pattern, URLPattern) and view and issubclass(view, ListModelMixin):
                listing.add(pattern.name)
    assert {"api_programs", "api_payouts"} <= listing  # wrapped views (page caches) too
    assert listing <= {name.split("[")[0] for name in API_LISTS}
