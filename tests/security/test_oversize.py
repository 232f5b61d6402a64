"""Oversize and wrong-type input: a specific message, nothing stored that was refused, and on
the API a 400 (never a 500) for every query parameter of the wrong type."""

import html

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Idea, ProposalStatus, Receipt
from applications.services import proposals
from docs_season.models import StatementOfInterest
from portal.renderers import PAGE_SIZE_INVALID
from programs.models import MilestoneKind
from tests.support.docs import retime, url
from tests.support.proposals import FULL, edit_url, new_url, start

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_an_oversize_proposal_title_or_abstract_is_refused_and_not_stored(
    open_cast,
    client,
):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    assert client.post(edit_url(proposal), {**FULL, "action": "save"}).status_code == 302
    response = client.post(
        edit_url(proposal),
        {**FULL, "title": "T" * 201, "abstract": "A" * 2001, "action": "submit"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "Ensure this value has at most 200 characters (it has 201)." in page
    assert "Ensure this value has at most 2000 characters (it has 2001)." in page
    proposal.refresh_from_db()
    assert proposal.title == FULL["title"] and proposal.abstract == FULL["abstract"]
    assert proposal.status == ProposalStatus.DRAFT and not Receipt.objects.exists()


def test_a_body_over_the_programs_limit_is_refused_at_submission(open_cast, client):
    open_cast.program.proposal_body_max_chars = 100
    open_cast.program.save()
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    response = client.post(edit_url(proposal), {**FULL, "body": "b" * 101, "action": "submit"})
    assert response.status_code == 400
    assert proposals.BODY_TOO_LONG.format(length=101, limit=100) in text(response)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT and not Receipt.objects.exists()


def test_a_draft_body_over_the_ceiling_is_refused_and_not_stored(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    body = "b" * (proposals.DRAFT_BODY_CEILING + 1)
    response = client.post(edit_url(proposal), {**FULL, "body": body, "action": "save"})
    assert response.status_code == 400
    assert "characters long; the limit is" in text(response)
    proposal.refresh_from_db()
    assert proposal.body != body


def test_a_request_beyond_the_upload_ceiling_is_a_400_and_stores_nothing(
    open_cast,
    client,
    settings,
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    response = client.post(edit_url(proposal), {**FULL, "body": "b" * 200_000})
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.body == "" and proposal.title == ""


def test_an_oversize_idea_is_refused_with_the_limit_and_not_created(cast, client):
    client.force_login(cast.mentor)
    data = {
        "title": "I" * 201,
        "description": "D" * 20001,
        "size": "175",
        "skills": "Python",
        "mentors": [cast.mentor.pk],
    }
    response = client.post(new_url(cast), data)
    assert response.status_code in (200, 400)
    page = text(response)
    assert "Ensure this value has at most 200 characters (it has 201)." in page
    assert "Ensure this value has at most 20000 characters (it has 20001)." in page
    assert not Idea.objects.exists()


def test_an_oversize_statement_of_interest_is_refused_and_not_stored(cast, client):
    retime(
        cast.docs_program,
        MilestoneKind.HIRING_DEADLINE,
        timezone.now() + timezone.timedelta(days=10),
    )
    client.force_login(cast.writer)
    response = client.post(url("statement_send", cast.docs_participation), {"message": "m" * 5001})
    assert response.status_code in (200, 400)
    assert "Ensure this value has at most 5000 characters (it has 5001)." in text(response)
    assert not StatementOfInterest.objects.exists()


# Each: a query parameter of the wrong type, and the field the 400 names.
WRONG_TYPES = [
    ("/api/v1/programs/?year=abc", "year"),
    ("/api/v1/programs/?year=-1", "year"),
    ("/api/v1/programs/?year=1e309", "year"),
    ("/api/v1/programs/?kind=%00", "kind"),
    ("/api/v1/programs/?series=%E2%98%83", "series"),
    ("/api/v1/programs/?page_size=abc", "page_size"),
    ("/api/v1/programs/?page_size=-5", "page_size"),
    ("/api/v1/programs/?page_size=1.5", "page_size"),
    ("/api/v1/organizations/?program=../../etc", "program"),
    ("/api/v1/ideas/?program={program}&size=huge", "size"),
    ("/api/v1/ideas/?program={program}&q=" + "q" * 101, "q"),
    ("/api/v1/ideas/?program={program}&skill=" + "s" * 61, "skill"),
    ("/api/v1/ideas/?program={program}&q=a%00b", "q"),
    ("/api/v1/ideas/", "program"),
    ("/api/v1/proposals/?program={program}&status=lost", "status"),
    ("/api/v1/payouts/?currency=usd", "currency"),
    ("/api/v1/payouts/?status=1", "status"),
    ("/api/v1/payouts/?milestone=%3Cscript%3E", "milestone"),
]


@pytest.mark.parametrize(("path", "field"), WRONG_TYPES)
def test_a_query_parameter_of_the_wrong_type_is_a_400_naming_it(cast, path, field):
    client = APIClient()
    client.force_login(cast.manager)
    response = client.get(path.format(program=cast.program.slug))
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    if field == "page_size":
        assert response.json() == {"page_size": [PAGE_SIZE_INVALID]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/programs/?page=abc",
        "/api/v1/programs/?page=0",
        "/api/v1/programs/?page=99999999999999999999",
        "/api/v1/programs/?format=xml",
        "/api/v1/projects/-1/evaluations/",
        "/api/v1/proposals/99999999999999999999/",
        "/api/v1/programs/%E2%98%83/",
        "/api/v1/no-such-endpoint/",
    ],
)
def test_an_address_or_page_that_is_not_there_is_a_json_404(cast, path):
    client = APIClient()
    client.force_login(cast.manager)
    response = client.get(path)
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
