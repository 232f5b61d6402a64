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
