"""Program managers allocate slots and announce accepted contributors; the public project list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from applications import selectors
from applications.forms import TotalSlotsForm
from applications.services import selection
from programs import selectors as program_selectors
from programs.models import MilestoneKind

PROJECTS_PER_PAGE = 50


@login_required
def program_slots(request, slug):
    """Managers set the total slots, preview the allocation, then apply it."""
    program = program_selectors.program_for_manager(slug=slug, viewer=request.user)
    form = TotalSlotsForm(request.POST or None, initial={"total": program.total_slots})
    action = request.POST.get("action") if request.method == "POST" else None
    preview = None
    if action and form.is_valid():
        total = form.cleaned_data["total"]
        try:
            if action == "apply":
                selection.slots_apply(
                    program=program, by=request.user, total=total, now=timezone.now()
                )
                messages.success(request, f"{total} slots were allocated.")
                return redirect(request.path)
            preview = selection.slots_preview(program=program, total=total)
        except ValidationError as error:
            form.add_error("total", error)
    rows = [
        {"participation": p, "mentors": mentors, "proposed": proposed}
        for p, mentors, proposed in (preview or [])
    ]
    summary = None
    if preview is not None:
        total = form.cleaned_data["total"]
        given = sum(row["proposed"] for row in rows)
        summary = {
            "total": total,
            "given": given,
            "unused": total - given,
            "requested": sum(row["participation"].slots_requested or 0 for row in rows),
            "without_request": sum(1 for row in rows if not row["participation"].slots_requested),
        }
    context = {
        "program": program,
        "form": form,
        "rows": rows,
        "summary": summary,
        "participations": program_selectors.accepted_participations(program=program),
        "ranking_due": program.milestone(MilestoneKind.RANKING_DUE),
    }
    status = 400 if action and form.errors else 200
    return render(request, "applications/program_slots.html", context, status=status)


@login_required
def program_selection(request, slug):
    """Managers review each organization's chosen proposals, then announce them once."""
    program = program_selectors.program_for_manager(slug=slug, viewer=request.user)
    error = None
    if request.method == "POST":
        try:
            projects = selection.program_announce(
                program=program, by=request.user, now=timezone.now()
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"{len(projects)} accepted contributors were announced; e-mails are on their way.",
            )
            return redirect(request.path)
    projects = list(selectors.accepted_projects(program=program))
    chosen, preview_error = None, None
    if not projects:
        try:
            chosen = selection.selection_preview(program=program)
        except ValidationError as exc:
            preview_error = " ".join(exc.messages)
    context = {
        "program": program,
        "projects": projects,
        "chosen": chosen,
        "chosen_count": sum(len(p) for p in chosen.values()) if chosen else 0,
        "preview_error": preview_error,
        "error": error,
        "coding": program.milestone(MilestoneKind.CODING),
    }
    return render(
        request, "applications/program_selection.html", context, status=400 if error else 200
    )


def program_projects(request, slug):
    """Public: the program's accepted projects once announced."""
    program = program_selectors.program_get(slug=slug, viewer=request.user)
    page = Paginator(selectors.accepted_projects(program=program), PROJECTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"program": program, "projects": page.object_list, "page": page}
    return render(request, "applications/program_projects.html", context)
