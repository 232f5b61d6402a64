"""Modules stay small and the coding season stays one app among several: no application module
over 500 lines, and applications/ under a quarter of the application code (migrations aside)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "portal",
    "reports",
    "payments",
    "evaluations",
    "applications",
    "docs_season",
    "programs",
    "accounts",
    "audit",
]
MAX_LINES = 500


def _lines_by_module() -> dict[Path, int]:
    return {
        path.relative_to(ROOT): len(path.read_text().splitlines())
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


def test_no_application_module_is_over_500_lines():
    over = {str(p): n for p, n in _lines_by_module().items() if n > MAX_LINES}
    assert over == {}, f"split these by what they hold: {over}"


def test_the_coding_season_holds_under_a_quarter_of_the_code():
    lines = _lines_by_module()
    assert len(lines) > 100  # the walk found the project
    share = sum(n for p, n in lines.items() if p.parts[0] == "applications") / sum(lines.values())
    assert share < 0.25, f"applications/ holds {share:.1%} of the application code"
