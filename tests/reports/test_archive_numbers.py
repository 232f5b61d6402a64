"""The imported 2022 archive is what the statistics and the API report."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.disclosure import public_view
from reports.statistics import program_statistics
from tests.factories import ProgramFactory
from tests.support.archive import REAL_ARCHIVE

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not REAL_ARCHIVE.exists(), reason=f"the real archive is not at {REAL_ARCHIVE}"
    ),
]


def test_statistics_and_api_report_the_2022_archive(client):
    program = ProgramFactory(slug="gsoc-2022", series="gsoc", year=2022)
    call_command("import_gsoc_archive", str(REAL_ARCHIVE), "--program", "gsoc-2022",
                 stdout=StringIO(), stderr=StringIO())  # fmt: skip
    stats = public_view(program_statistics(program=program))["coding"]
    assert stats["organizations"]["accepted"] == 202
    assert stats["archived_passed_projects"] == 1054

    response = client.get(reverse("api_program_statistics", args=["gsoc-2022"]))
    assert response.status_code == 200
    coding = response.json()["statistics"]["coding"]
    assert (coding["organizations"]["accepted"], coding["archived_passed_projects"]) == (202, 1054)

    organizations = client.get(reverse("api_organizations"), {"program": "gsoc-2022"}).json()
    assert organizations["count"] == 202


def test_statistics_report_downloads_as_csv(client):
    ProgramFactory(slug="gsoc-2022", series="gsoc", year=2022)
    call_command("import_gsoc_archive", str(REAL_ARCHIVE), "--program", "gsoc-2022",
                 stdout=StringIO(), stderr=StringIO())  # fmt: skip
    response = client.get(reverse("api_program_statistics", args=["gsoc-2022"]), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, row = response.content.decode().splitlines()[:2]
    values = dict(zip(header.split(","), row.split(","), strict=False))
    accepted = next(v for k, v in values.items() if k.endswith("organizations.accepted"))
    archived = next(v for k, v in values.items() if k.endswith("archived_passed_projects"))
    assert (accepted, archived) == ("202", "1054")
