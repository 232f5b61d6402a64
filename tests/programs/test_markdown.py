"""Markdown from contributors renders without anything that can run."""

import pytest

from programs.markdown import render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src='https://evil.example'></iframe>",
    '<svg onload="alert(1)"></svg>',
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name=a></form>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_executable_survives(attack):
    html = str(render_markdown(attack)).lower()
    for banned in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "<svg",
        "data:",
        "style=",
        "<style",
        "<form",
        "<input",
    ):
        assert banned not in html, (attack, html)


def test_ordinary_markdown_renders():
    html = str(
        render_markdown(
            "## Plan\n\n* one\n* **two**\n\n[docs](https://example.org)\n\n```\ncode\n```"
        )
    )
    assert "<h2>Plan</h2>" in html
    assert "<strong>two</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="nofollow noopener noreferrer"' in html
    assert "<pre><code>code" in html


@pytest.mark.parametrize(
    "text",
    [
        "![chart](https://tracker.example/pixel.png)",
        "![chart](http://tracker.example/pixel.png)",
        "![chart](//tracker.example/pixel.png)",
        '<img src="https://tracker.example/pixel.png" alt="chart">',
        '<img src="//tracker.example/pixel.png">',
    ],
)
def test_no_image_is_loaded_from_another_site(text):
    html = str(render_markdown(text))
    assert "<img" not in html or "tracker.example" not in html.split("<img", 1)[1].split(">")[0]
    assert 'src="https://tracker' not in html and 'src="//tracker' not in html


def test_an_image_from_elsewhere_becomes_a_link_named_by_its_alt_text():
    html = str(render_markdown("![build chart](https://ci.example/chart.png)"))
    assert '<a href="https://ci.example/chart.png" rel="nofollow noopener noreferrer">' in html
    assert "Image: build chart</a>" in html


def test_images_of_the_portal_itself_stay_images():
    html = str(render_markdown("![logo](/static/img/logo.png)"))
    assert '<img alt="logo" src="/static/img/logo.png">' in html


@pytest.mark.django_db
def test_the_policy_allows_images_from_the_portal_only(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directive = next(d for d in policy.split(";") if d.strip().startswith("img-src"))
    assert directive.split()[1:] == ["'self'", "data:"]


@pytest.mark.django_db
def test_only_an_organizations_page_loads_its_logo_from_elsewhere(client, settings):
    from tests.factories import OrganizationFactory

    settings.PUBLIC_CACHE_SECONDS = 60
    organization = OrganizationFactory(logo_url="https://example.org/logo.png")
    for served in ("miss", "hit"):  # the page replayed from the public cache keeps it too
        page = client.get(f"/organizations/{organization.slug}/")
        assert page.status_code == 200, served
        assert page.headers.get("X-Public-Cache", "miss") == served
        assert 'src="https://example.org/logo.png"' in page.content.decode()
        policy = page.headers["Content-Security-Policy"].split(";")
        directive = next(d for d in policy if "img-src" in d)
        assert directive.split()[1:] == ["'self'", "data:", "https:"], served
