"""Markdown typed by people, rendered to HTML that cannot run script."""

from urllib.parse import urlsplit

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}}
# No javascript:, data: or vbscript: links: only these schemes survive.
URL_SCHEMES = {"http", "https", "mailto"}


def is_same_site(url: str) -> bool:
    """Whether a URL stays on the portal: a path, not an address elsewhere (nor //elsewhere)."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


class _ImagesFromElsewhereAsLinks(Treeprocessor):
    """An image from another site would tell that site who reads the page and when: it becomes a
    link the reader may follow, labelled with its alt text."""

    def run(self, root):
        for element in root.iter("img"):
            src = element.get("src", "")
            if not is_same_site(src):
                label = element.get("alt") or "image"
                element.tag, element.text = "a", f"Image: {label}"
                element.attrib.clear()
                element.set("href", src)


class _SameSiteImages(Extension):
    def extendMarkdown(self, markdown):
        markdown.treeprocessors.register(_ImagesFromElsewhereAsLinks(markdown), "images", 0)


def _drop_images_from_elsewhere(element: str, attribute: str, value: str) -> str | None:
    # Raw <img> typed as HTML skips the Markdown tree: its outside source is dropped here.
    if element == "img" and attribute == "src" and not is_same_site(value):
        return None
    return value


def render_markdown(text: str) -> SafeString:
    """Markdown to sanitised HTML: no script, no event handlers, no javascript: links, and no
    image loaded from another site (the CSP allows images from the portal only)."""
    extensions = ["fenced_code", "tables", "sane_lists", _SameSiteImages()]
    html = md.markdown(text or "", extensions=extensions)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        attribute_filter=_drop_images_from_elsewhere,
    )
    # Safe to mark: sanitised by nh3 (ammonia) just above (ruff S308, bandit B308 and B703).
    return mark_safe(clean)  # noqa: S308  # nosec B308 B703
