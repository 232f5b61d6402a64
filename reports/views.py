"""Pages of published statistics: the list, one publication with charts and downloads, the
signing key, a signature checker, and the manager's preview and publish page."""

import csv
import io
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from audit.selectors import audit_entry_list, audit_filter_choices
from programs.selectors import program_for_manager, program_list
from reports import publishing
from reports.models import Publication
from reports.statistics import compare_years, flatten, is_suppressed

TOP = 15
VERIFY_MAX_BYTES = 5 * 1024 * 1024

# ---------- charts: inline SVG drawn on the server, so they need no JavaScript ----------

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


def _coding_charts(data: dict) -> list[dict]:
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


def _docs_charts(data: dict) -> list[dict]:
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


def _figures(data: dict) -> dict:
    """What templates/reports/_statistics_body.html shows of published (or preview) data."""
    coding, docs = data.get("coding"), data.get("docs")
    return {
        "data": data,
        "coding": coding,
        "docs": docs,
        "charts": _coding_charts(coding) if coding else _docs_charts(docs),
        "payouts": (coding or docs)["payouts"],
    }


# ---------- pages ----------


def _visible_publications(viewer):
    return Publication.objects.filter(program__in=program_list(viewer=viewer)).select_related(
        "program"
    )


def statistics_index(request):
    """Every program's current statistics, newest first, with year-over-year comparisons."""
    publications = list(_visible_publications(request.user).filter(superseded_by__isnull=True))
    series: dict[str, list[Publication]] = {}
    for publication in publications:
        series.setdefault((publication.program.series, publication.program.kind), []).append(
            publication
        )
    comparisons = [
        {"series": key[0], **compare_years([p.data for p in group])}
        for key, group in sorted(series.items())
        if len(group) > 1
    ]
    return render(
        request,
        "reports/statistics_index.html",
        {"publications": publications, "comparisons": comparisons},
    )


def statistics_detail(request, pk):
    """One publication: charts with their tables, downloads, and whether it is still current."""
    publication = get_object_or_404(_visible_publications(request.user), pk=pk)
    context = {
        "publication": publication,
        "current": publishing.publication_current(publication),
        **_figures(publication.data),
    }
    return render(request, "reports/statistics_detail.html", context)


def _download_name(publication: Publication, extension: str) -> str:
    return f"{publication.program.slug}-statistics-{publication.pk}.{extension}"


def statistics_json(request, pk):
    """The publication's data, byte for byte as signed, with its digest and signature."""
    publication = get_object_or_404(_visible_publications(request.user), pk=pk)
    response = HttpResponse(publication.canonical_bytes, content_type="application/json")
    response["X-Content-SHA256"] = publication.sha256
    response["X-Signature-Ed25519"] = publication.signature
    response["X-Public-Key-Ed25519"] = publication.public_key
    response["Content-Disposition"] = (
        f'attachment; filename="{_download_name(publication, "json")}"'
    )
    return response


def statistics_csv(request, pk):
    """The same data flattened to key,value rows (nested keys joined with dots)."""
    publication = get_object_or_404(_visible_publications(request.user), pk=pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["key", "value"])
    writer.writerows(flatten(publication.data))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["X-Content-SHA256"] = publication.sha256
    response["Content-Disposition"] = f'attachment; filename="{_download_name(publication, "csv")}"'
    return response


def statistics_key(request):
    """The public key that verifies publications, as PEM and base64, and earlier keys."""
    current = publishing.public_key_b64()
    earlier = (
        Publication.objects.exclude(public_key=current)
        .values_list("public_key", flat=True)
        .distinct()
        .order_by("public_key")
    )
    keys = [
        {"b64": key, "pem": publishing.public_key_pem(key), "current": key == current}
        for key in [current, *earlier]
    ]
    return render(request, "reports/statistics_key.html", {"keys": keys})


class VerifyForm(forms.Form):
    json_text = forms.CharField(
        label="Published JSON",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="Paste the downloaded file's content, or upload it below.",
    )
    json_file = forms.FileField(label="…or the JSON file", required=False)
    signature = forms.CharField(
        label="Signature (base64)",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        help_text="The X-Signature-Ed25519 header of the download.",
    )
    public_key = forms.CharField(
        label="Public key (base64)",
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        help_text="Leave empty to use the key of the matching publication, or the current key.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("json_file")
        if upload:
            if upload.size > VERIFY_MAX_BYTES:
                raise forms.ValidationError("The file is larger than 5 MB.")
            cleaned["data_bytes"] = upload.read()
        elif cleaned.get("json_text", "").strip():
            # Canonical JSON never starts or ends with white space; pasting often adds some.
            cleaned["data_bytes"] = cleaned["json_text"].strip().encode()
        else:
            raise forms.ValidationError("Paste the JSON or upload the file.")
        return cleaned


def statistics_verify(request):
    """Check pasted or uploaded statistics against a signature."""
    result = None
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data_bytes = form.cleaned_data["data_bytes"]
        key = form.cleaned_data["public_key"] or publishing.publication_key_for(data_bytes)
        result = publishing.verify(
            data_bytes=data_bytes,
            signature_b64=form.cleaned_data["signature"],
            public_key_b64=key,
        )
    return render(request, "reports/statistics_verify.html", {"form": form, "result": result})


@login_required
def program_statistics_manage(request, slug):
    """A manager previews the program's public statistics and publishes them."""
    program = program_for_manager(slug=slug, viewer=request.user)
    if request.method == "POST":
        publication = publishing.statistics_publish(
            program=program, by=request.user, now=timezone.now()
        )
        messages.success(request, "The statistics were published and signed.")
        return redirect("statistics_detail", pk=publication.pk)
    context = {
        "program": program,
        "publications": program.publications.all(),
        **_figures(publishing.statistics_preview(program)),
    }
    return render(request, "reports/statistics_manage.html", context)


# ---------- the audit log of a program, for its managers ----------

AUDIT_PER_PAGE = 50


class AuditFilterForm(forms.Form):
    object_type = forms.ChoiceField(required=False, label="Object type")
    action = forms.ChoiceField(required=False)
    actor = forms.CharField(required=False, max_length=254, label="Actor name or e-mail")

    def __init__(self, *args, object_types: list[str], actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "Any type")] + [(t, t) for t in object_types]
        self.fields["action"].choices = [("", "Any action")] + [(a, a) for a in actions]


@login_required
@require_safe
def program_audit(request, slug):
    """Managers: every recorded state change of the program, newest first, filtered and paged."""
    program = program_for_manager(slug=slug, viewer=request.user)
    object_types, actions = audit_filter_choices(program_ids=[program.pk])
    form = AuditFilterForm(request.GET, object_types=object_types, actions=actions)
    form.is_valid()  # an unknown value is ignored and shown as an error
    filters = {k: v for k, v in form.cleaned_data.items() if v}
    page = Paginator(audit_entry_list(program_ids=[program.pk], **filters), AUDIT_PER_PAGE)
    page = page.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "program": program,
        "form": form,
        "page": page,
        "entries": page.object_list,
        "filtered": bool(filters),
        "page_query": query.urlencode(),
    }
    return render(
        request, "reports/program_audit.html", context, status=400 if form.errors else 200
    )
