"""Reading published statistics: flattened into rows for CSV, and compared across years."""


def flatten(data, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted key, value) rows of nested JSON data, in key order; None becomes ""."""
    if isinstance(data, dict):
        rows = []
        for key in sorted(data):
            rows.extend(flatten(data[key], f"{prefix}.{key}" if prefix else str(key)))
        return rows
    if isinstance(data, list):
        rows = []
        for index, item in enumerate(data):
            rows.extend(flatten(item, f"{prefix}.{index}"))
        return rows
    if data is None:
        return [(prefix, "")]
    if isinstance(data, bool):
        return [(prefix, "true" if data else "false")]
    return [(prefix, str(data))]


CODING_COMPARISON = [
    ("Organizations accepted", ("coding", "organizations", "accepted")),
    ("New organizations", ("coding", "organizations", "new")),
    ("Mentors", ("coding", "mentors")),
    ("Applicants", ("coding", "applicants")),
    ("Proposals", ("coding", "proposals", "total")),
    ("Accepted contributors", ("coding", "accepted_contributors")),
    ("Countries of accepted contributors", ("coding", "countries", "accepted")),
    ("Midterm pass rate (%)", ("coding", "pass_rates", "midterm", "rate")),
    ("Final pass rate (%)", ("coding", "pass_rates", "final", "rate")),
]
DOCS_COMPARISON = [
    ("Projects", ("docs", "projects")),
    ("Budgets requested", ("docs", "budgets", "requested")),
    ("Technical writers hired", ("docs", "writers_hired")),
    ("Case studies submitted", ("docs", "case_studies", "submitted")),
    ("Case studies accepted", ("docs", "case_studies", "accepted")),
    ("Deliverables complete (average %)", ("docs", "deliverables", "average_percent_complete")),
]


def _dig(data: dict, path: tuple):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def compare_years(datas: list[dict]) -> dict:
    """Year-over-year rows of one series' published data: {"years": [...], "rows": [...]}."""
    datas = sorted(datas, key=lambda d: d["program"]["year"])
    metrics = CODING_COMPARISON if datas and "coding" in datas[0] else DOCS_COMPARISON
    return {
        "years": [d["program"]["year"] for d in datas],
        "rows": [
            {"label": label, "values": [_dig(d, path) for d in datas]} for label, path in metrics
        ],
    }
