"""Without a token, managers download approved payouts and upload OpenCollective's export."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments.models import Payout

pytestmark = pytest.mark.django_db
NOW = datetime(2023, 8, 1, tzinfo=UTC)


@pytest.fixture
def approved(cast):
    return Payout.objects.create(
        reference="SEASONS-TEST-CODING_MIDTERM-P1",
        program=cast.program,
        participation=cast.participation,
        payee=cast.contributor,
        milestone="coding_midterm",
        amount=Decimal("1350.00"),
        currency="USD",
        status="approved",
        created_at=NOW,
    )


def test_manager_downloads_and_reconciles(cast, client, approved, settings):
    settings.OPENCOLLECTIVE_TOKEN = ""
    url = reverse("program_opencollective", args=[cast.program.slug])
    client.force_login(cast.manager)
    csv_text = client.get(url + "?format=csv").content.decode()
    assert approved.reference in csv_text
    export = (
        "id,legacyId,status,description,amount,currency\n"
        f"ab12cd,4242,PAID,Stipend [{approved.reference}],1350.00,USD\n"
    )
    response = client.post(
        url, {"export": SimpleUploadedFile("expenses.csv", export.encode(), "text/csv")}
    )
    assert response.status_code == 200
    approved.refresh_from_db()
    assert (approved.status, approved.oc_expense_id) == ("paid", "ab12cd")
    assert approved.history.filter(to_status="paid").count() == 1


def test_a_bad_file_is_refused_clearly(cast, client):
    client.force_login(cast.manager)
    url = reverse("program_opencollective", args=[cast.program.slug])
    response = client.post(
        url, {"export": SimpleUploadedFile("x.csv", b"nothing,useful\n1,2\n", "text/csv")}
    )
    assert response.status_code == 400
    assert "column" in response.text.lower()


@pytest.mark.parametrize(
    "role", ["org_admin", "mentor", "contributor", "writer", "outsider", "other_org_admin"]
)
def test_only_managers_reach_it(cast, client, role):
    client.force_login(getattr(cast, role))
    url = reverse("program_opencollective", args=[cast.program.slug])
    assert client.get(url).status_code == 404
    assert client.get(url + "?format=csv").status_code == 404
