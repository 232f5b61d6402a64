"""A request whose body is declared larger than REQUEST_MAX_MB is refused with 413 before the
portal reads it, anonymous or signed in; requests within the limit pass as before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def test_a_fifty_megabyte_post_is_refused_unread(client):
    # The body sent is tiny: the refusal rests on the declared length alone, so nothing of a
    # real 50 MB body would have been read.
    response = client.post(
        "/statistics/verify/",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(50 * MB),
    )
    assert response.status_code == 413
    assert "25 MB" in response.content.decode()
    assert response["Connection"] == "close"


def test_the_limit_is_a_setting_and_counts_files_too(client, settings):
    settings.REQUEST_MAX_MB = 1
    upload = SimpleUploadedFile("publication.json", b"{" + b" " * (2 * MB) + b"}")
    assert client.post("/statistics/verify/", {"json_file": upload}).status_code == 413
    small = SimpleUploadedFile("publication.json", b"{}")
    assert client.post("/statistics/verify/", {"json_file": small}).status_code != 413


def test_a_request_at_the_limit_passes(client, settings):
    settings.REQUEST_MAX_MB = 1
    response = client.post(
        "/statistics/verify/", data=b"{}", content_type="application/json", CONTENT_LENGTH=str(MB)
    )
    assert response.status_code != 413
