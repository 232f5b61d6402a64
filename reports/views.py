"""Pages of published statistics: the list, one publication with charts and downloads, the
signing key, a signature checker, and the manager's preview and publish page."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit.selectors import audit_entry_list, audit_filter_choices
from programs.selectors import program_for_manager, program_list
from programs.spreadsheets import CSVWriter
from reports import publishing
from reports.charts import figures
from reports.models import Publication
from reports.tables import compare_years, flatten

VERIFY_MAX_BYTES = 5 * 1024 * 1024


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
        **figures(publication.data),
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
    writer = CSVWriter(buffer, lineterminator="\n")
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
        **figures(publishing.statistics_preview(program)),
    }
    return render(request, "reports/statistics_manage.html", context)


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
