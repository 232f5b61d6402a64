"""Organizations' applications: applying to a program, the doc-project proposal with its budget
(checked live against the program's rules), the public doc projects and the managers' decisions.

Every rule is decided by docs_season.services; these views turn its refusals into messages (400)
and never lose what was typed.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from docs_season import selectors
from docs_season.forms import (
    PROPOSAL_FIELDS,
    DocProposalForm,
    OrgApplyForm,
    budget_formset,
    budget_items,
)
from docs_season.models import BudgetKind, DocProposalStatus
from docs_season.services import budget
from docs_season.services import organizations as organizations_services
from programs import selectors as program_selectors
from programs.forms import add_service_errors
from programs.models import MilestoneKind, ParticipationStatus, Role

SAVED = "Draft saved."
SAVED_WITH_PROBLEMS = "Draft saved. The budget does not meet every rule yet: see the budget below."
SUBMITTED = "Your proposal was submitted. You can change it until the application window closes."
SUBMIT_BUDGET_REFUSED = "Not submitted: the budget breaks the program's rules marked below."


def _window(program):
    return program.milestone(MilestoneKind.ORG_APPLICATIONS)


def _refusal_messages(error) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error)]


@login_required
def org_apply(request, slug):
    """Apply to the program for one of the user's organizations or for a new one."""
    program = program_selectors.program_get(slug=slug, viewer=request.user)
    organizations = selectors.organizations_administered(user=request.user)
    form = OrgApplyForm(request.POST or None, organizations=organizations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                participation = organizations_services.org_apply(
                    program=program,
                    by=request.user,
                    now=timezone.now(),
                    organization=data.get("organization"),
                    name=data["name"],
                    website=data["website"],
                    description=data["description"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _refusal_messages(error))
            else:
                org = participation.organization
                if program.is_docs:
                    messages.success(
                        request, f"{org} applied. Now write the doc-project proposal and budget."
                    )
                    return redirect("doc_proposal_edit", pk=participation.doc_proposal.pk)
                messages.success(request, f"{org} applied. Invite your mentors.")
                return redirect("participation_team", program_slug=program.slug, org_slug=org.slug)
    applied = (
        program.participations.filter(
            memberships__user=request.user, memberships__role=Role.ORG_ADMIN
        )
        .select_related("organization", "doc_proposal")
        .distinct()
    )
    context = {
        "program": program,
        "form": form,
        "window": _window(program),
        "window_error": organizations_services.applications_error(program, timezone.now()),
        "applied": applied,
    }
    return render(request, "docs_season/org_apply.html", context, status=status)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _share(part: Decimal, whole: Decimal) -> str:
    return str((part * 100 / whole).quantize(Decimal("0.1"))) if whole else "0.0"


def _totals(items: list[dict]) -> dict[str, str]:
    """Sums to show beside the budget; whether they are acceptable is budget.budget_problems'."""

    def of_kind(kind):
        return sum((i["amount"] for i in items if i["kind"] == kind), Decimal(0))

    total = sum((i["amount"] for i in items), Decimal(0))
    writers = of_kind(BudgetKind.TECHNICAL_WRITER)
    donations = of_kind(BudgetKind.DONATION)
    return {
        "total": _money(total),
        "writers": _money(writers),
        "writer_share": _share(writers, total),
        "swag": _money(of_kind(BudgetKind.SWAG)),
        "donations": _money(donations),
        "donation_share": _share(donations, total),
    }


def _problems_json(problems, rows: list[int]) -> list[dict]:
    """Each problem with the formset row its line was typed in (blank rows are not lines)."""
    return [
        {
            "rule": p.rule,
            "message": p.message,
            "line": p.line,
            "row": rows[p.line - 1] if p.line and p.line <= len(rows) else None,
        }
        for p in problems
    ]


def _saved_items(proposal) -> list[dict]:
    return [
        {"kind": i.kind, "description": i.description, "amount": i.amount}
        for i in proposal.budget_items.all()
    ]


def _is_read_only(proposal, now) -> bool:
    return (
        proposal.status == DocProposalStatus.SUBMITTED
        and organizations_services.applications_error(proposal.participation.program, now)
        is not None
    )


@login_required
def doc_proposal_edit(request, pk):
    """Write, save and submit the organization's doc-project proposal and budget; every submit
    saves the draft first. Managers see it read-only."""
    proposal, can_edit = selectors.doc_proposal_for(pk=pk, viewer=request.user)
    program = proposal.participation.program
    now = timezone.now()
    read_only = not can_edit or _is_read_only(proposal, now)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only the organization's org admins can change its proposal.")
    saved_notice = ""
    in_sync = True  # whether the page's fields are what the server holds
    status = 200
    if request.method == "POST":
        form = DocProposalForm(request.POST, instance=proposal)
        formset = budget_formset(request.POST)
        action = request.POST.get("action", "save")
        in_sync = False
        items, problems = [], []
        if read_only:
            form.add_error(None, organizations_services.NOT_EDITABLE)
            status = 400
        elif not (form.is_valid() and formset.is_valid()):
            form.add_error(None, "Nothing was saved: correct the fields marked below.")
            status = 400
        else:
            items, _ = budget_items(formset)
            data = {name: form.cleaned_data[name] for name in PROPOSAL_FIELDS}
            try:
                problems = organizations_services.doc_proposal_save(
                    proposal=proposal, by=request.user, data=data, items=items, now=now
                )
                in_sync = True
                if action == "submit":
                    organizations_services.doc_proposal_submit(
                        proposal=proposal, by=request.user, now=now
                    )
            except ValidationError as error:
                if getattr(error, "code", None) == "budget":
                    form.add_error(None, SUBMIT_BUDGET_REFUSED)
                else:
                    add_service_errors(form, error)
                status = 400
            else:
                if action == "submit":
                    messages.success(request, SUBMITTED)
                    return redirect("doc_proposal_edit", pk=proposal.pk)
                if not problems:
                    messages.success(request, SAVED)
                    return redirect("doc_proposal_edit", pk=proposal.pk)
                saved_notice = SAVED_WITH_PROBLEMS
            proposal.refresh_from_db()
        saved = _saved_items(proposal)
        if in_sync:
            # Saved: the typed lines again without the blank rows between them, then new blank
            # rows; so the problems' lines are the table's rows.
            formset = budget_formset(items=items)
            items_shown, problems_shown = items, _problems_json(problems, list(range(len(items))))
        else:
            # Nothing saved: what was typed is shown as it was, with the saved budget's totals.
            items_shown, problems_shown = saved, []
    else:
        saved = _saved_items(proposal)
        form = DocProposalForm(instance=proposal, read_only=read_only)
        formset = budget_formset(items=proposal.budget_items.all(), read_only=read_only)
        items_shown = saved
        problems = (
            []
            if read_only
            else budget.budget_problems(
                program=program, items=saved, justification=proposal.budget_justification
            )
        )
        problems_shown = _problems_json(problems, list(range(len(saved))))
    by_row = _by_row(problems_shown)
    context = {
        "proposal": proposal,
        "participation": proposal.participation,
        "program": program,
        "form": form,
        "formset": formset,
        "read_only": read_only,
        "can_edit": can_edit,
        "window": _window(program),
        "window_error": organizations_services.applications_error(program, now),
        "totals": _totals(items_shown),
        "saved_items": proposal.budget_items.all(),
        "general_problems": [p for p in problems_shown if p["row"] is None],
        "budget_rows": [(row, by_row.get(n, [])) for n, row in enumerate(formset.forms)],
        "budget_ok": in_sync and not problems_shown,
        "saved_notice": saved_notice,
        "in_sync": in_sync,
    }
    return render(request, "docs_season/doc_proposal_edit.html", context, status=status)


def _by_row(problems: list[dict]) -> dict[int, list[str]]:
    rows: dict[int, list[str]] = {}
    for p in problems:
        if p["row"] is not None:
            rows.setdefault(p["row"], []).append(p["message"])
    return rows


@require_POST
def doc_proposal_check(request, pk):
    """The budget rules the typed lines break and their totals, as JSON; nothing is saved."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "signed_out"}, status=401)
    proposal, can_edit = selectors.doc_proposal_for(pk=pk, viewer=request.user)
    if not can_edit:
        raise PermissionDenied("Only the organization's org admins can check its budget.")
    formset = budget_formset(request.POST)
    justification = request.POST.get("budget_justification", "")
    if not formset.is_valid():
        problems = [
            {"rule": "input", "message": f"{field}: {message}", "line": None, "row": index}
            for index, errors in enumerate(formset.errors)
            for field, field_messages in errors.items()
            for message in field_messages
        ] + [
            {"rule": "input", "message": m, "line": None, "row": None}
            for m in formset.non_form_errors()
        ]
        return JsonResponse({"total": None, "totals": None, "problems": problems}, status=400)
    items, rows = budget_items(formset)
    problems = budget.budget_problems(
        program=proposal.participation.program, items=items, justification=justification
    )
    totals = _totals(items)
    return JsonResponse(
        {"total": totals["total"], "totals": totals, "problems": _problems_json(problems, rows)}
    )


def doc_projects(request, slug):
    """The accepted organizations' doc-project proposals with their budgets; public."""
    program = program_selectors.program_get(slug=slug, viewer=request.user)
    if not program.is_docs:
        raise Http404("Only docs programs have doc projects.")
    proposals = selectors.doc_proposals_public(program=program).order_by(
        "participation__organization__name"
    )
    return render(
        request, "docs_season/doc_projects.html", {"program": program, "proposals": proposals}
    )


@login_required
def program_applications(request, slug):
    """Every organization's application to the program, to accept or reject; managers only."""
    program = program_selectors.program_for_manager(slug=slug, viewer=request.user)
    if request.method == "POST":
        participation = get_object_or_404(
            program.participations.select_related("organization"),
            pk=request.POST.get("participation") or 0,
        )
        decision = request.POST.get("decision")
        if decision not in {"accept", "reject"}:
            messages.error(request, "Choose to accept or to reject.")
        else:
            try:
                organizations_services.participation_decide(
                    participation=participation,
                    by=request.user,
                    accept=decision == "accept",
                    now=timezone.now(),
                )
            except (ValidationError, PermissionDenied) as error:
                for message in _refusal_messages(error):
                    messages.error(request, message)
            else:
                messages.success(
                    request, f"{participation.organization} is {participation.status}."
                )
        return redirect(reverse("program_applications", args=[program.slug]))
    data = selectors.doc_applications_for_manager(program=program)
    funding = data["funding"]
    accepted_total = data["accepted_total"]
    context = {
        "program": program,
        "participations": data["participations"],
        "accepted_total": accepted_total,
        "funding": funding,
        "remaining": funding - accepted_total if funding is not None else None,
        "counts": {
            status: sum(p.status == status for p in data["participations"])
            for status in ParticipationStatus.values
        },
    }
    return render(request, "docs_season/program_applications.html", context)
