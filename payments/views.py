"""Payout pages: the viewer's own payouts, one payout's history, a program's ledger (with its CSV)
for managers, and an organization's payouts with its payments to writers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from payments import selectors, services, sync
from payments.forms import (
    ExpenseImportForm,
    LedgerFilterForm,
    TransitionForm,
    WriterPaymentForm,
)
from payments.models import Milestone, Payout
from programs import selectors as program_selectors
from programs.forms import add_service_errors
from programs.services import is_org_admin
from programs.spreadsheets import CSVWriter

CSV_HEADER = [
    "reference", "created_at", "organization", "payee", "milestone", "status", "amount",
    "currency", "oc_expense_id", "paid_at",
]  # fmt: skip


def _with_targets(payouts, movable):
    """Attach the next statuses to each payout the viewer may move (per `movable`)."""
    rows = list(payouts)
    for payout in rows:
        payout.targets = selectors.payout_targets(payout) if movable(payout) else []
    return rows


def _transition(request, payouts) -> TransitionForm:
    """Apply a posted status move to one of `payouts`; the service decides who may move what
    (PermissionDenied becomes a 403) and which move is allowed (errors land on the form)."""
    form = TransitionForm(request.POST)
    if form.is_valid():
        payout = payouts.filter(pk=form.cleaned_data["payout"]).first()
        if payout is None:
            form.add_error(None, "No such payout here.")
            return form
        try:
            services.payout_transition(
                payout=payout,
                to=form.cleaned_data["to"],
                by=request.user,
                now=timezone.now(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{payout.reference} is now {payout.get_status_display().lower()}."
            )
    return form


@login_required
@require_GET
def my_payouts(request):
    """The payouts made to the viewer, with their status history."""
    payouts = selectors.payouts_of_payee(viewer=request.user)
    return render(request, "payments/my_payouts.html", {"payouts": payouts})


@login_required
@require_GET
def payout_detail(request, pk):
    """One payout with who moved it, when and why; 404 for anyone who may not see it."""
    payout = selectors.payout_get(pk=pk, viewer=request.user)
    return render(request, "payments/payout_detail.html", {"payout": payout})


@login_required
@require_http_methods(["GET", "POST"])
def program_ledger(request, slug):
    """Managers: the program's payouts filtered, with totals per currency, status moves and CSV."""
    program = program_selectors.program_for_manager(slug=slug, viewer=request.user)
    filter_form = LedgerFilterForm(
        request.GET, currencies=selectors.ledger_currencies(program=program)
    )
    filter_form.is_valid()  # an unknown value is ignored and shown as an error
    result = selectors.ledger(program=program, filters=filter_form.cleaned_data)
    if request.GET.get("format") == "csv":
        return _ledger_csv(program, result)
    transition_form = None
    if request.method == "POST":
        transition_form = _transition(request, Payout.objects.filter(program=program))
        if not transition_form.errors:
            return redirect(request.get_full_path())
    context = {
        "program": program,
        "filter_form": filter_form,
        "transition_form": transition_form,
        # Writer payments are the organizations' to move, not the managers' (the service's
        # rule; the viewer is known to manage the program, so no query per row is needed).
        "payouts": _with_targets(result.payouts, lambda p: p.milestone != Milestone.WRITER_PAYMENT),
        "totals": result.totals,
        "query": request.GET.urlencode(),
        "csv_query": _with_format_csv(request),
    }
    status = 400 if filter_form.errors or (transition_form and transition_form.errors) else 200
    return render(request, "payments/program_ledger.html", context, status=status)


def _with_format_csv(request) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


def _ledger_csv(program, result) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-payouts.csv"'
    writer = CSVWriter(response)
    writer.writerow(CSV_HEADER)
    for payout in result.payouts:
        writer.writerow(
            [
                payout.reference,
                payout.created_at.isoformat(),
                payout.participation.organization.name,
                payout.payee.email if payout.payee else "",
                payout.milestone,
                payout.status,
                f"{payout.amount:.2f}",
                payout.currency,
                payout.oc_expense_id or "",
                payout.paid_at.isoformat() if payout.paid_at else "",
            ]
        )
    # The same totals as the page: summed by the database, one row per currency.
    for row in result.totals:
        writer.writerow(["TOTAL", "", "", "", "", "", f"{row['total']:.2f}", row["currency"]])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def org_payouts(request, program_slug, org_slug):
    """An organization's payouts; its org admins record and move payments to hired writers."""
    participation = program_selectors.participation_for_admin(
        program_slug=program_slug, org_slug=org_slug, viewer=request.user
    )
    admin = is_org_admin(user=request.user, participation=participation)
    record_form = transition_form = None
    status = 200
    if request.method == "POST" and request.POST.get("action") == "record":
        record_form = WriterPaymentForm(request.POST, participation=participation)
        if record_form.is_valid():
            try:
                # Refuses anyone but this organization's org admins with 403.
                payout = services.writer_payment_record(
                    participation=participation,
                    by=request.user,
                    hire=record_form.cleaned_data["hire"],
                    amount=record_form.cleaned_data["amount"],
                    now=timezone.now(),
                    note=record_form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(record_form, error)
            else:
                messages.success(request, f"Payment {payout.reference} was recorded as a draft.")
                return redirect(request.path)
        status = 400
    elif request.method == "POST":
        transition_form = _transition(
            request,
            Payout.objects.filter(participation=participation, milestone=Milestone.WRITER_PAYMENT),
        )
        if not transition_form.errors:
            return redirect(request.path)
        status = 400
    if record_form is None and admin and participation.hires.exists():
        record_form = WriterPaymentForm(participation=participation)
    sections = selectors.participation_payouts(participation=participation, viewer=request.user)
    sections["writers"] = _with_targets(sections["writers"], lambda p: admin)
    context = {
        "participation": participation,
        "program": participation.program,
        "sections": sections,
        "record_form": record_form,
        "transition_form": transition_form,
    }
    return render(request, "payments/org_payouts.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def program_opencollective(request, slug):
    """Managers without an OpenCollective token: download approved payouts to enter as expenses
    by hand, and upload OpenCollective's expense export to reconcile statuses."""
    program = program_selectors.program_for_manager(slug=slug, viewer=request.user)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            sync.approved_payouts_csv(program=program), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{program.slug}-approved-payouts.csv"'
        )
        return response
    form = ExpenseImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                text = form.cleaned_data["export"].read().decode("utf-8-sig")
                result = sync.opencollective_export_import(
                    csv_text=text, now=timezone.now(), by=request.user
                )
            except UnicodeDecodeError:
                form.add_error("export", "The file is not UTF-8 text; export it again as CSV.")
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                status = 200
    context = {
        "program": program,
        "form": form,
        "result": result,
        "connected": sync.client_from_settings() is not None,
    }
    return render(request, "payments/program_opencollective.html", context, status=status)
