"""Publishing statistics: signed immutable snapshots, who may publish, downloads, verification."""

import csv
import hashlib
import io
import json
import stat
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from programs.services import manager_grant
from reports import publishing
from reports.models import PUBLICATION_IMMUTABLE, Publication, canonical_json
from reports.publishing import PUBLISH_NOT_MANAGER, statistics_publish, verify
from reports.tables import flatten
from tests.factories import ProgramFactory
from tests.support.cast import DEADLINE
from tests.support.statistics import contributor, raw_key, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_key(settings):
    settings.STATISTICS_SIGNING_KEY = raw_key()
    return settings.STATISTICS_SIGNING_KEY


def with_proposals(cast, count):
    for _ in range(count):
        submit(cast.program, cast.participation, contributor("IN"))


@pytest.fixture
def publication(cast):
    with_proposals(cast, 7)
    return statistics_publish(program=cast.program, by=cast.manager, now=DEADLINE)


def test_a_publication_is_signed_over_its_canonical_bytes(publication):
    publication.refresh_from_db()
    data_bytes = canonical_json(publication.data)
    assert publication.sha256 == hashlib.sha256(data_bytes).hexdigest()
    assert publication.public_key == publishing.public_key_b64()
    assert verify(
        data_bytes=data_bytes,
        signature_b64=publication.signature,
        public_key_b64=publication.public_key,
    )
    assert publication.data["coding"]["proposals"]["total"] == 7
    assert publication.data["published_at"] == DEADLINE.isoformat()


def test_tampering_fails_verification(publication):
    data = json.loads(publication.canonical_bytes)
    data["coding"]["proposals"]["total"] = 8
    assert not verify(
        data_bytes=canonical_json(data),
        signature_b64=publication.signature,
        public_key_b64=publication.public_key,
    )
    other_key = publishing.public_key_b64(Ed25519PrivateKey.generate())
    assert not verify(
        data_bytes=publication.canonical_bytes,
        signature_b64=publication.signature,
        public_key_b64=other_key,
    )
    assert not verify(
        data_bytes=publication.canonical_bytes, signature_b64="not base64!", public_key_b64="x"
    )


def test_a_publication_cannot_be_changed_or_deleted(publication):
    publication.data = {"forged": True}
    with pytest.raises(ValidationError, match=PUBLICATION_IMMUTABLE):
        publication.save()
    with pytest.raises(ValidationError, match=PUBLICATION_IMMUTABLE):
        publication.save(update_fields=["data"])
    with pytest.raises(ValidationError, match=PUBLICATION_IMMUTABLE):
        publication.delete()
    publication.refresh_from_db()
    assert "forged" not in publication.data


def test_later_data_changes_never_alter_a_snapshot(cast, publication):
    before = publication.canonical_bytes
    with_proposals(cast, 5)
    publication.refresh_from_db()
    assert publication.canonical_bytes == before
    assert publication.data["coding"]["proposals"]["total"] == 7
    assert hashlib.sha256(publication.canonical_bytes).hexdigest() == publication.sha256


def test_a_second_publication_supersedes_the_first(cast, publication):
    with_proposals(cast, 5)
    second = statistics_publish(program=cast.program, by=cast.manager, now=DEADLINE)
    publication.refresh_from_db()
    assert publication.superseded_by == second
    assert second.is_current
    assert second.data["coding"]["proposals"]["total"] == 12
    assert publishing.publication_current(publication) == second
    # Once superseded, not even superseded_by can change.
    publication.superseded_by = None
    with pytest.raises(ValidationError):
        publication.save(update_fields=["superseded_by"])


def test_old_publications_stay_verifiable_after_key_rotation(settings, cast, publication):
    settings.STATISTICS_SIGNING_KEY = raw_key()
    # A second later: the same bytes signed by two keys would make the digest ambiguous.
    second = statistics_publish(
        program=cast.program, by=cast.manager, now=DEADLINE + timedelta(seconds=1)
    )
    assert second.public_key != publication.public_key
    assert publishing.publication_key_for(publication.canonical_bytes) == publication.public_key
    assert verify(
        data_bytes=publication.canonical_bytes,
        signature_b64=publication.signature,
        public_key_b64=publication.public_key,
    )


ROLES = ["org_admin", "mentor", "other_org_admin", "other_mentor", "contributor", "writer"]


@pytest.mark.parametrize("role", [*ROLES, "outsider"])
def test_only_managers_publish(cast, role):
    with pytest.raises(PermissionDenied, match=PUBLISH_NOT_MANAGER):
        statistics_publish(program=cast.program, by=getattr(cast, role), now=DEADLINE)
    assert not Publication.objects.exists()


@pytest.mark.parametrize("role", [*ROLES, "outsider"])
def test_the_publish_page_is_not_found_for_anyone_but_managers(client, cast, role):
    client.force_login(getattr(cast, role))
    url = reverse("program_statistics_manage", args=[cast.program.slug])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Publication.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    url = reverse("program_statistics_manage", args=[cast.program.slug])
    response = client.post(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Publication.objects.exists()


def test_a_manager_previews_and_publishes(client, cast):
    with_proposals(cast, 6)
    client.force_login(cast.manager)
    url = reverse("program_statistics_manage", args=[cast.program.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert b'<svg class="chart"' in page.content
    response = client.post(url)
    publication = Publication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("statistics_detail", args=[publication.pk])
    assert publication.published_by == cast.manager


def test_the_json_download_is_the_signed_bytes(client, publication):
    response = client.get(reverse("statistics_json", args=[publication.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == publication.canonical_bytes
    assert response["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest()
    assert verify(
        data_bytes=response.content,
        signature_b64=response["X-Signature-Ed25519"],
        public_key_b64=publishing.public_key_b64(),
    )


def test_the_csv_agrees_with_the_json(client, publication):
    body = client.get(reverse("statistics_json", args=[publication.pk])).content
    response = client.get(reverse("statistics_csv", args=[publication.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["key", "value"]
    assert [tuple(row) for row in rows[1:]] == flatten(json.loads(body))
    assert ("coding.proposals.total", "7") in [tuple(row) for row in rows]


def test_public_pages_list_show_and_compare(client, cast, publication):
    later = ProgramFactory(series=cast.program.series, year=cast.program.year + 1)
    manager_grant(program=later, user=cast.manager)
    statistics_publish(program=later, by=cast.manager, now=DEADLINE)
    index = client.get(reverse("statistics_index")).content.decode()
    assert cast.program.name in index and later.name in index
    assert "Year over year" in index
    assert f'<th scope="col" class="num">{later.year}</th>' in index
    detail = client.get(reverse("statistics_detail", args=[publication.pk])).content.decode()
    assert 'role="img"' in detail and "<title" in detail and "<rect" in detail
    assert publication.sha256 in detail
    assert "superseded" not in detail


def test_a_superseded_publication_links_to_the_newer_one(client, cast, publication):
    second = statistics_publish(program=cast.program, by=cast.manager, now=DEADLINE)
    detail = client.get(reverse("statistics_detail", args=[publication.pk])).content.decode()
    assert "superseded" in detail
    assert reverse("statistics_detail", args=[second.pk]) in detail
    index = client.get(reverse("statistics_index")).content.decode()
    assert reverse("statistics_detail", args=[second.pk]) in index
    assert reverse("statistics_detail", args=[publication.pk]) + '"' not in index


def test_hidden_programs_statistics_are_not_public(client, cast, publication):
    type(cast.program).objects.filter(pk=cast.program.pk).update(is_public=False)
    assert client.get(reverse("statistics_detail", args=[publication.pk])).status_code == 404
    assert client.get(reverse("statistics_json", args=[publication.pk])).status_code == 404


def test_the_key_page_shows_the_public_key(client):
    body = client.get(reverse("statistics_key")).content.decode()
    assert publishing.public_key_b64() in body
    assert "BEGIN PUBLIC KEY" in body


def test_the_verify_page_tells_valid_from_invalid(client, publication):
    url = reverse("statistics_verify")
    good = {"json_text": publication.canonical_bytes.decode(), "signature": publication.signature}
    assert b'data-valid="true"' in client.post(url, good).content
    upload = io.BytesIO(publication.canonical_bytes.replace(b"7", b"8"))
    upload.name = "statistics.json"
    bad = {"json_file": upload, "signature": publication.signature}
    assert b'data-valid="false"' in client.post(url, bad).content


def test_the_verify_command(tmp_path, publication):
    path = tmp_path / "statistics.json"
    path.write_bytes(publication.canonical_bytes)
    out = io.StringIO()
    call_command("verify_publication", str(path), signature=publication.signature, stdout=out)
    assert out.getvalue().strip() == "valid"
    call_command(
        "verify_publication",
        str(path),
        "--signature",
        publication.signature,
        "--public-key",
        publication.public_key,
        stdout=out,
    )
    path.write_bytes(publication.canonical_bytes + b" ")
    with pytest.raises(CommandError, match="invalid"):
        call_command("verify_publication", str(path), signature=publication.signature)


def test_development_generates_and_keeps_a_key_file(settings, tmp_path):
    settings.STATISTICS_SIGNING_KEY = ""
    settings.VAR_DIR = tmp_path
    first = publishing.public_key_b64()
    path = tmp_path / publishing.KEY_FILE_NAME
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert publishing.public_key_b64() == first


def test_a_docs_publication_draws_its_budget_chart(client, cast):
    publication = statistics_publish(program=cast.docs_program, by=cast.manager, now=DEADLINE)
    assert "docs" in publication.data and "coding" not in publication.data
    body = client.get(reverse("statistics_detail", args=[publication.pk])).content.decode()
    assert 'id="chart-budgets"' in body and 'id="chart-evaluations"' in body
