"""Charts of published statistics: inline SVG drawn on the server, so they need no JavaScript,
each with the table of its figures beside it."""

from decimal import Decimal, InvalidOperation

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from reports.disclosure import is_suppressed

TOP = 15
CHART_WIDTH = 560
LABEL_WIDTH = 170
VALUE_WIDTH = 90
ROW_HEIGHT = 26
BAR_HEIGHT = 18


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool) or is_suppressed(value):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def bar_chart(*, chart_id: str, title: str, rows: list[tuple], unit: str = "") -> SafeString:
    """A horizontal bar chart: rows are (label, value[, overlay value]); suppressed values get
    no bar and show their marker. role="img" with a <title> names it for screen readers; the
    table beside it carries the same numbers."""
    numbers = [n for row in rows for n in map(_number, row[1:]) if n is not None]
    scale = max(numbers, default=Decimal(0)) or Decimal(1)
    track = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = max(len(rows), 1) * ROW_HEIGHT + 8
    parts = []
    for index, row in enumerate(rows):
        label, value = row[0], row[1]
        y = 4 + index * ROW_HEIGHT
        number = _number(value)
        width = 0 if number is None else round(track * number / scale)
        if number is not None and number > 0:
            width = max(width, 2)
        text = f"{value}{unit}" if number is not None else str(value if value is not None else "-")
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" fill="#1a56b8">'
                "<title>{}: {}</title></rect>",
                LABEL_WIDTH - 8,
                y + BAR_HEIGHT - 5,
                str(label)[:28],
                LABEL_WIDTH,
                y,
                width,
                BAR_HEIGHT,
                label,
                text,
            )
        )
        if len(row) > 2 and _number(row[2]) is not None:
            overlay = round(track * _number(row[2]) / scale)
            parts.append(
                format_html(
                    '<rect class="chart-bar chart-bar-overlay" x="{}" y="{}" width="{}" '
                    'height="{}" fill="#e0892b"><title>{}: {} accepted</title></rect>',
                    LABEL_WIDTH,
                    y + 4,
                    overlay,
                    BAR_HEIGHT - 8,
                    label,
                    row[2],
                )
            )
            text = f"{row[2]} / {text}"
        elif len(row) > 2:
            text = f"{row[2]} / {text}"
        parts.append(
            format_html(
                '<text class="chart-value" x="{}" y="{}">{}</text>',
                LABEL_WIDTH + width + 6,
                y + BAR_HEIGHT - 5,
                text,
            )
        )
    return format_html(
        '<svg class="chart" id="{}" role="img" aria-labelledby="{}-title" viewBox="0 0 {} {}" '
        'width="{}" height="{}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title>{}</svg>',
        chart_id,
        chart_id,
        CHART_WIDTH,
        height,
        CHART_WIDTH,
        height,
        chart_id,
        title,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


def _top(items: list[tuple], n: int = TOP) -> list[tuple]:
    """The n rows with the largest values; suppressed values sort last, keeping their order."""
    return sorted(items, key=lambda row: -(_number(row[1]) or Decimal(-1)))[:n]


def _chart(chart_id, title, rows, unit="", headers=("", "Value")):
    return {
        "id": chart_id,
        "title": title,
        "svg": bar_chart(chart_id=chart_id, title=title, rows=rows, unit=unit),
        "rows": rows,
        "headers": headers,
    }


def coding_charts(data: dict) -> list[dict]:
    proposals = data["proposals"]
    orgs = data["acceptance_by_org"].values()
    rates = data["pass_rates"]
    charts = [
        _chart(
            "chart-sizes",
            "Proposals by project size (hours)",
            [(f"{size} hours", n) for size, n in proposals["by_size"].items()],
            headers=("Size", "Proposals"),
        ),
        _chart(
            "chart-orgs",
            f"Proposals and accepted contributors by organization (top {TOP})",
            _top([(org["name"], org["proposals"], org["accepted"]) for org in orgs]),
            headers=("Organization", "Proposals", "Accepted"),
        ),
        _chart(
            "chart-countries",
            f"Proposals by country of residence (top {TOP})",
            _top(list(proposals["by_country"].items())),
            headers=("Country", "Proposals"),
        ),
        _chart(
            "chart-pass-rates",
            "Pass rates of mentors' evaluations (%)",
            [(kind.title(), rates[kind]["rate"]) for kind in ("midterm", "final")],
            unit="%",
            headers=("Evaluation", "Passed (%)"),
        ),
    ]
    payouts = [
        (f"{milestone.replace('_', ' ')} ({currency})", row["sum"] or row["count"])
        for currency, milestones in data["payouts"].items()
        for milestone, row in milestones.items()
    ]
    if payouts:
        charts.append(
            _chart("chart-budgets", "Payouts made", payouts, headers=("Milestone", "Paid"))
        )
    return charts


def docs_charts(data: dict) -> list[dict]:
    budgets = data["budgets"]
    rows = [(f"Requested ({budgets['currency']})", budgets["requested"])]
    rows += [(f"Spent ({currency})", amount) for currency, amount in budgets["spent"].items()]
    statuses = data["monthly_evaluations"]["by_status"]
    return [
        _chart("chart-budgets", "Budgets requested and spent", rows, headers=("", "Amount")),
        _chart(
            "chart-evaluations",
            "Monthly evaluations by status",
            [(status.replace("_", " ").capitalize(), n) for status, n in statuses.items()],
            headers=("Status", "Evaluations"),
        ),
    ]


def figures(data: dict) -> dict:
    """What templates/reports/_statistics_body.html shows of published (or preview) data."""
    coding, docs = data.get("coding"), data.get("docs")
    return {
        "data": data,
        "coding": coding,
        "docs": docs,
        "charts": coding_charts(coding) if coding else docs_charts(docs),
        "payouts": (coding or docs)["payouts"],
    }
