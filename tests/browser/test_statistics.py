"""A manager publishes a program's statistics; the public page draws its charts without
JavaScript, and its downloads carry the same numbers."""

import base64
import csv
import io
import json
import re
import struct
import zlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from programs.services import manager_grant
from reports.models import Publication
from tests.factories import ParticipationFactory, ProgramFactory, UserFactory
from tests.support.browser import sign_in
from tests.support.statistics import contributor, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def signing_key(settings):
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    settings.STATISTICS_SIGNING_KEY = base64.b64encode(raw).decode()


def png_pixel_bytes(png: bytes) -> bytes:
    """The decompressed image data of a PNG (filter bytes included): enough to tell blank
    from drawn."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        if kind == b"IDAT":
            idat += png[position + 8 : position + 8 + length]
        position += 12 + length
    return zlib.decompress(idat)


def test_a_manager_publishes_and_the_public_sees_charts(live_server, page_in):
    base = live_server.url
    program = ProgramFactory(name="Live Stats Season", slug="live-stats")
    orgs = [ParticipationFactory(program=program) for _ in range(2)]
    for index, country in enumerate(["IN"] * 8 + ["DE"] * 6 + ["BR"] * 2):
        submit(program, orgs[index % 2], contributor(country), size=175 if index % 3 else 350)
    manager = UserFactory()
    manager_grant(program=program, user=manager)

    page = page_in("UTC")
    sign_in(page, base, manager)
    page.goto(f"{base}/programs/live-stats/manage/statistics/")
    assert page.locator("svg.chart").count() >= 4  # the preview draws the same charts
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/statistics/\d+/$"))
    publication = Publication.objects.get()

    public = page_in("UTC")
    public.goto(f"{base}/statistics/")
    public.get_by_role("link", name="Live Stats Season").click()
    public.wait_for_url(re.compile(rf"/statistics/{publication.pk}/$"))

    chart = public.locator("svg.chart").first
    assert chart.get_attribute("role") == "img"
    assert "size" in chart.locator("title").first.text_content()
    box = chart.bounding_box()
    assert box["width"] > 0 and box["height"] > 0
    widths = chart.locator("rect.chart-bar").evaluate_all(
        "rects => rects.map(r => r.getBoundingClientRect().width)"
    )
    assert widths and max(widths) > 0
    png = chart.screenshot()
    assert len(png) > 1000
    # A blank image decompresses to a handful of byte values; bars, text and anti-aliasing to many.
    assert len(set(png_pixel_bytes(png))) > 20

    shown = int(public.locator('[data-stat="proposals.total"]').inner_text())
    countries = public.locator("table[data-chart=chart-countries] tbody tr")
    first_country = countries.first.locator("th").inner_text()
    first_count = countries.first.locator("td").inner_text()

    response = public.request.get(f"{base}/statistics/{publication.pk}.json")
    body = response.body()
    assert body == publication.canonical_bytes
    assert response.headers["x-content-sha256"] == publication.sha256
    data = json.loads(body)
    assert data["coding"]["proposals"]["total"] == shown == 16
    assert str(data["coding"]["proposals"]["by_country"][first_country]) == first_count
    assert (first_country, first_count) == ("IN", "8")

    rows = dict(
        csv.reader(
            io.StringIO(public.request.get(f"{base}/statistics/{publication.pk}.csv").text())
        )
    )
    assert rows["coding.proposals.total"] == str(shown)
    assert rows[f"coding.proposals.by_country.{first_country}"] == first_count
    assert rows["coding.proposals.by_country.BR"] == "<5"
