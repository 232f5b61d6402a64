"""The API endpoints that return rows, each with who reads it and how its rows grow, for the
query-count tests (tests/api/test_api_query_counts.py), and those that list nothing: the
completeness test of tests/portal/test_list_query_counts.py covers every route with them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from programs.models import Role
from tests.factories import MembershipFactory, ParticipationFactory, ProgramFactory
from tests.support.query_counts import (
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
from tests.support.statistics import new_signing_key


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
        new_signing_key(settings)
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


API_NOT_A_LIST = {
    "api_proposal": "one proposal",
    "api_project_evaluations": "one project's four fixed evaluation periods",
    "api_schema": "the OpenAPI document, built from code",
    "api_docs": "a static page",
    "api_redoc": "a static page",
}
