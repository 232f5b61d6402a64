"""Every endpoint against every role, declared in one table: the status each role gets and, for
lists, that the rows are exactly those the pages' selector gives the same person. Then constant
query counts, CSV, filters and the exception handler."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from applications import selectors
from docs_season import selectors as docs_selectors
from evaluations import selectors as evaluation_selectors
from payments.selectors import payouts_for_viewer
from portal.exception_handlers import api_exception_handler
from programs.selectors import program_list
from programs.services import manager_grant
from tests.factories import ParticipationFactory, ProgramFactory
from tests.support.evaluations import make_project
from tests.support.payouts import make_payout
from tests.support.proposals import add_ideas, add_proposals

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "contributor", "other_contributor", "writer", "mentor", "other_mentor",
    "org_admin", "other_org_admin", "manager", "read_token", "write_token", "revoked_token",
]  # fmt: skip
# Tokens belong to the cast's contributor.
TOKEN_ROLES = {"read_token", "write_token", "revoked_token"}
SIGNED_IN = set(ROLES) - {"anonymous", "revoked_token"}
# The `world` the table runs against is a fixture of tests/conftest.py: the security tests use
# it too.


def user_of(world, role):
    if role == "anonymous":
        return None
    if role in TOKEN_ROLES:
        return world["cast"].contributor
    if role == "other_contributor":
        return world["other_contributor"]
    return getattr(world["cast"], role)


def client_as(world, role) -> APIClient:
    client = APIClient()
    if role in TOKEN_ROLES:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['keys'][role]}")
    elif role != "anonymous":
        client.force_login(user_of(world, role))
    return client


def _program(w):
    return w["cast"].program.slug


# name: (url, roles answered 200 — everyone else 404 if signed in, 401 if not — or PUBLIC,
#        and for lists the key of each row and the selector's rows for a viewer).
PUBLIC = "public"
TEAM = {"mentor", "org_admin", "manager"}
OWN = {"contributor", "read_token", "write_token"}
ENDPOINTS = {
    "programs": (
        lambda w: "/api/v1/programs/",
        PUBLIC,
        ("slug", lambda w, user: [p.slug for p in program_list(viewer=user)]),
    ),
    "program": (lambda w: f"/api/v1/programs/{_program(w)}/", PUBLIC, None),
    "organizations": (
        lambda w: f"/api/v1/organizations/?program={_program(w)}",
        PUBLIC,
        (
            "slug",
            lambda w, user: [
                w["cast"].participation.organization.slug,
                w["cast"].other_participation.organization.slug,
            ],
        ),
    ),
    "organization": (
        lambda w: f"/api/v1/organizations/{w['cast'].participation.organization.slug}/",
        PUBLIC,
        None,
    ),
    "ideas": (
        lambda w: f"/api/v1/ideas/?program={_program(w)}",
        PUBLIC,
        ("id", lambda w, user: selectors.ideas_of_program(program=w["cast"].program)),
    ),
    "projects": (
        lambda w: f"/api/v1/projects/?program={_program(w)}",
        PUBLIC,
        ("id", lambda w, user: selectors.accepted_projects(program=w["cast"].program)),
    ),
    "doc-projects": (
        lambda w: f"/api/v1/doc-projects/?program={w['cast'].docs_program.slug}",
        PUBLIC,
        ("id", lambda w, user: docs_selectors.doc_proposals_public(program=w["cast"].docs_program)),
    ),
    "me": (lambda w: "/api/v1/me/", SIGNED_IN, None),
    "my-projects": (
        lambda w: "/api/v1/me/projects/",
        SIGNED_IN,
        ("id", lambda w, user: evaluation_selectors.projects_for_viewer(viewer=user)),
    ),
    "proposals": (
        lambda w: f"/api/v1/proposals/?program={_program(w)}",
        SIGNED_IN,
        (
            "id",
            lambda w, user: selectors.proposals_of_contributor(
                user=user, program=w["cast"].program
            ),
        ),
    ),
    "org-proposals": (
        lambda w: (
            f"/api/v1/programs/{_program(w)}/organizations/"
            f"{w['cast'].participation.organization.slug}/proposals/"
        ),
        TEAM,
        ("id", lambda w, user: selectors.proposals_for_org(participation=w["cast"].participation)),
    ),
    "proposal-submitted": (lambda w: f"/api/v1/proposals/{w['mine'].pk}/", OWN | TEAM, None),
    "proposal-draft": (lambda w: f"/api/v1/proposals/{w['draft'].pk}/", OWN, None),
    "proposal-other-org": (
        lambda w: f"/api/v1/proposals/{w['theirs'].pk}/",
        {"other_contributor", "other_mentor", "other_org_admin", "manager"},
        None,
    ),
    "evaluations": (
        lambda w: f"/api/v1/projects/{w['project'].pk}/evaluations/",
        OWN | TEAM,
        None,
    ),
    "payouts": (
        lambda w: "/api/v1/payouts/",
        SIGNED_IN,
        ("id", lambda w, user: payouts_for_viewer(viewer=user)),
    ),
}


def expected_status(allowed, role) -> int:
    if role == "revoked_token":
        return 401  # even on public endpoints: a bad credential is never ignored
    if allowed == PUBLIC or role in allowed:
        return 200
    return 401 if role == "anonymous" else 404


def _keys(rows, key):
    return sorted(getattr(row, "pk" if key == "id" else key, row) for row in rows)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_endpoint_by_role(world, endpoint, role):
    url, allowed, listing = ENDPOINTS[endpoint]
    response = client_as(world, role).get(url(world))
    assert response.status_code == expected_status(allowed, role), response.content
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Bearer"
    if response.status_code == 200 and listing is not None:
        key, selector = listing
        rows = response.json()["results"]
        assert sorted(row[key] for row in rows) == _keys(selector(world, user_of(world, role)), key)


def test_the_matrix_is_not_vacuous(world):
    """Lists the selectors fill for some roles and leave empty for others."""
    cast = world["cast"]
    assert len(payouts_for_viewer(viewer=cast.manager)) == 4
    assert {p.pk for p in payouts_for_viewer(viewer=cast.contributor)} != set()
    assert not payouts_for_viewer(viewer=cast.other_mentor).exists()
    # "Mine" and the accepted proposal behind the project.
    assert selectors.proposals_for_org(participation=cast.participation).count() == 2
    assert selectors.proposals_of_contributor(user=cast.contributor, program=cast.program).count()


def test_the_evaluation_summary_shows_the_grade_to_whom_visible_answers_allows(world):
    cast = world["cast"]
    for role in ["contributor", "mentor", "org_admin", "manager", "read_token"]:
        body = client_as(world, role).get(f"/api/v1/projects/{world['project'].pk}/evaluations/")
        periods = {(p["kind"], p["side"]): p for p in body.json()["periods"]}
        midterm = periods[("midterm", "mentor")]
        assert (midterm["filed"], midterm["passed"], midterm["state"]) == (
            True,
            True,
            "submitted",
        ), role
        assert periods[("final", "mentor")]["filed"] is False
    assert body.json()["role"] == "contributor"
    assert cast.mentor in world["project"].mentors.all()


def test_me_lists_roles(world):
    cast = world["cast"]
    me = client_as(world, "org_admin").get("/api/v1/me/").json()
    assert me["email"] == cast.org_admin.email
    assert {(m["organization"], m["role"]) for m in me["memberships"]} == {
        (cast.participation.organization.slug, "org_admin"),
        (cast.docs_participation.organization.slug, "org_admin"),
    }
    assert me["token"] is None
    manager = client_as(world, "manager").get("/api/v1/me/").json()
    assert manager["managed_programs"] == sorted([cast.program.slug, cast.docs_program.slug])
    token = client_as(world, "read_token").get("/api/v1/me/").json()
    assert (token["is_contributor"], token["token"]) == (
        True,
        {"name": "read_token", "scope": "read"},
    )


def test_public_rows_name_people_but_never_their_email(world):
    body = client_as(world, "anonymous").get(f"/api/v1/projects/?program={_program(world)}")
    assert "@" not in body.content.decode()


def test_a_hidden_program_is_404_to_the_public_and_200_to_its_manager(world):
    cast = world["cast"]
    hidden = ProgramFactory(is_public=False)
    url = f"/api/v1/programs/{hidden.slug}/"
    assert client_as(world, "anonymous").get(url).status_code == 404
    assert client_as(world, "manager").get(url).status_code == 404
    manager_grant(program=hidden, user=cast.manager)
    assert client_as(world, "manager").get(url).status_code == 200


# Filters, ordering, pages, CSV ------------------------------------------------------------


def test_filters_are_validated_and_applied(world):
    client = client_as(world, "manager")
    assert client.get("/api/v1/payouts/?status=nonsense").status_code == 400
    assert client.get("/api/v1/ideas/").status_code == 400  # ?program= is required
    body = client.get("/api/v1/payouts/?milestone=org_stipend").json()
    assert {row["milestone"] for row in body["results"]} == {"org_stipend"}
    assert body["count"] == 2
    years = client.get("/api/v1/programs/?kind=docs").json()["results"]
    assert [p["slug"] for p in years] == [world["cast"].docs_program.slug]


def test_ordering_and_pages(world):
    client = client_as(world, "manager")
    amounts = [
        row["amount"] for row in client.get("/api/v1/payouts/?ordering=-amount").json()["results"]
    ]
    assert amounts == sorted(amounts, key=float, reverse=True)
    page = client.get("/api/v1/payouts/?page_size=1&page=2").json()
    assert (page["count"], len(page["results"])) == (4, 1)
    assert page["next"] and page["previous"]
    assert client.get("/api/v1/payouts/?page_size=100000").json()["count"] == 4  # capped at 500


def test_csv_of_a_list(world):
    response = client_as(world, "manager").get("/api/v1/payouts/?format=csv&ordering=pk")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = payouts_for_viewer(viewer=world["cast"].manager).order_by("pk")
    assert [int(row["id"]) for row in rows] == [p.pk for p in expected]
    assert rows[0]["organization.slug"] == expected[0].participation.organization.slug


def test_csv_cells_never_start_a_formula(world):
    world["mine"].title = "=HYPERLINK(1)"
    world["mine"].save()
    response = client_as(world, "contributor").get(
        f"/api/v1/proposals/?program={_program(world)}&format=csv"
    )
    assert "'=HYPERLINK(1)" in response.content.decode()


# Query counts ---------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def _more_programs(cast, n, start):
    for _ in range(n):
        ProgramFactory()


def _more_organizations(cast, n, start):
    for _ in range(n):
        ParticipationFactory(program=cast.program)


def _more_payouts(cast, n, start):
    for _ in range(n):
        make_payout(cast)


def _more_projects(cast, n, start):
    for _ in range(n):
        make_project(cast)


GROWERS = {
    "/api/v1/programs/": _more_programs,
    "/api/v1/organizations/": _more_organizations,
    "/api/v1/ideas/?program={program}": lambda cast, n, start: add_ideas(cast, n, start),
    "/api/v1/projects/?program={program}": _more_projects,
    "/api/v1/me/projects/": _more_projects,
    "/api/v1/payouts/": _more_payouts,
    "/api/v1/proposals/?program={program}": _more_projects,
    "/api/v1/programs/{program}/organizations/{org}/proposals/": lambda cast, n, start: (
        add_proposals(cast, n, start)
    ),
}


# Lists of the caller's own rows are read as the contributor; the others as the manager.
AS_CONTRIBUTOR = {"/api/v1/me/projects/", "/api/v1/proposals/?program={program}"}


@pytest.mark.parametrize("template", list(GROWERS))
def test_list_queries_do_not_grow(cast, template):
    """3 rows or 30, the same number of queries."""
    url = template.format(program=cast.program.slug, org=cast.participation.organization.slug)
    client = APIClient()
    client.force_login(cast.contributor if template in AS_CONTRIBUTOR else cast.manager)
    grow = GROWERS[template]
    grow(cast, 3, 0)
    few = count_queries(client, url)
    grow(cast, 27, 3)
    many = count_queries(client, url)
    assert client.get(url).json()["count"] >= 30
    assert few == many


# The exception handler ------------------------------------------------------------------


def test_domain_errors_become_400_403_404():
    refused = api_exception_handler(ValidationError({"name": "Give a name."}), {})
    assert (refused.status_code, refused.data) == (400, {"name": ["Give a name."]})
    plain = api_exception_handler(ValidationError("Closed at 18:00 UTC."), {})
    assert (plain.status_code, plain.data) == (400, {"non_field_errors": ["Closed at 18:00 UTC."]})
    forbidden = api_exception_handler(PermissionDenied("Only org admins."), {})
    assert (forbidden.status_code, str(forbidden.data["detail"])) == (403, "Only org admins.")
    assert api_exception_handler(Http404("No such proposal."), {}).status_code == 404
