"""Project pages, filing evaluations, the viewer's open evaluations, docs monthly evaluations, and
the signed unsubscribe link of heads-up mails."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from evaluations import selectors
from evaluations.forms import EvaluationAnswerForm, LengthForm, answer_rows
from evaluations.models import PeriodStatus
from evaluations.services import filing, questions, reminders
from evaluations.services import periods as period_services
from programs.forms import add_service_errors


def _with_answer_rows(rows):
    for row in rows:
        row.answer_rows = (
            answer_rows(questions=row.evaluation.form.questions, answers=row.answers)
            if row.answers is not None
            else []
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def project_detail(request, pk):
    """A project with its evaluation periods; org admins and managers may change its length."""
    project, role = selectors.project_for_viewer(pk=pk, viewer=request.user)
    program = project.participation.program
    now = timezone.now()
    can_change_length = role in {"org_admin", "manager"}
    length_form = None
    status = 200
    if can_change_length or request.method == "POST":
        length_form = LengthForm(
            request.POST if request.method == "POST" else None,
            allowed=program.length_options.get(str(project.size), []),
            initial={"weeks": project.length_weeks},
        )
    if request.method == "POST":
        if length_form.is_valid():
            try:
                # Refuses anyone but org admins and managers with 403.
                period_services.project_change_length(
                    project=project,
                    by=request.user,
                    weeks=length_form.cleaned_data["weeks"],
                    now=now,
                )
            except ValidationError as error:
                add_service_errors(length_form, error)
            else:
                messages.success(request, f"The project now lasts {project.length_weeks} weeks.")
                return redirect("project_detail", pk=project.pk)
        status = 400

    periods = list(selectors.periods_for_project(project))
    rows = _with_answer_rows(
        selectors.period_rows(periods, viewer=request.user, now=now, project=project)
    )
    first_opens = min((p.opens_at for p in periods), default=None)
    context = {
        "project": project,
        "program": program,
        "organization": project.participation.organization,
        "role": role,
        "mentors": list(project.mentors.all()),
        "rows": rows,
        "can_change_length": can_change_length,
        "length_locked": first_opens is not None and now >= first_opens,
        "first_opens": first_opens,
        "length_form": length_form,
    }
    return render(request, "evaluations/project_detail.html", context, status=status)


def _back_url(period) -> str:
    if period.project_id is not None:
        return reverse("project_detail", args=[period.project_id])
    participation = period.participation
    return reverse(
        "docs_evaluations", args=[participation.program.slug, participation.organization.slug]
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_file(request, period_pk):
    """One period's evaluation: the form while open for those who file it, else its state and
    the answers the viewer may read (submitted evaluations are read-only)."""
    period, can_file = selectors.period_for_viewer(pk=period_pk, viewer=request.user)
    program = period.participation.program
    now = timezone.now()
    form_version = questions.evaluation_form_for(
        program=program, kind=period.kind, side=period.side
    )
    form = EvaluationAnswerForm(
        request.POST if request.method == "POST" else None, questions=form_version.questions
    )
    refusal = None
    status = 200
    if request.method == "POST":
        if not can_file:
            # Those who only read the period: 403, as the service would answer.
            raise PermissionDenied("You cannot file this evaluation.")
        answers = form.answers() if form.is_valid() else None
        if answers is not None:
            try:
                # Everything is decided here, at request time: who, the window, once only.
                filing.evaluation_submit(period=period, by=request.user, answers=answers, now=now)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    add_service_errors(form, error)
                else:
                    refusal = error
            else:
                messages.success(
                    request, f"Your {period.get_kind_display().lower()} was submitted."
                )
                return redirect(_back_url(period))
        status = 400

    (row,) = _with_answer_rows(
        selectors.period_rows([period], viewer=request.user, now=now, project=period.project)
    )
    context = {
        "period": period,
        "project": period.project,
        "program": program,
        "organization": period.participation.organization,
        "row": row,
        "can_file": can_file,
        # After a refusal the typed answers stay on the page, whatever the state now is.
        "show_form": can_file and (row.state == PeriodStatus.OPEN or request.method == "POST"),
        "form": form,
        "refusal": refusal,
        "refusal_code": getattr(refusal, "code", None),
        "refusal_text": " ".join(refusal.messages) if refusal else "",
        "back_url": _back_url(period),
    }
    return render(request, "evaluations/evaluation_file.html", context, status=status)


@login_required
def my_evaluations(request):
    """The evaluations the viewer may file now, soonest deadline first, and their projects."""
    for participation in selectors.docs_participations_missing_periods(viewer=request.user):
        # Monthly periods are created when first needed (idempotent).
        period_services.periods_ensure_for_docs(participation)
    now = timezone.now()
    context = {
        "todo": list(selectors.evaluations_todo(viewer=request.user, now=now)),
        "projects": list(selectors.projects_for_viewer(viewer=request.user)),
        "docs_participations": list(
            selectors.docs_participations_administered(viewer=request.user).select_related(
                "organization"
            )
        ),
    }
    return render(request, "evaluations/evaluation_mine.html", context)


@login_required
def docs_evaluations(request, program_slug, org_slug):
    """A docs organization's monthly evaluations: org admins file them, managers read them."""
    participation, can_file = selectors.docs_participation_for_viewer(
        program_slug=program_slug, org_slug=org_slug, viewer=request.user
    )
    if participation.is_accepted:
        period_services.periods_ensure_for_docs(participation)
    now = timezone.now()
    periods = list(selectors.periods_for_docs_participation(participation))
    for period in periods:
        period.participation = participation
    rows = _with_answer_rows(selectors.period_rows(periods, viewer=request.user, now=now))
    context = {
        "participation": participation,
        "program": participation.program,
        "organization": participation.organization,
        "can_file": can_file,
        "rows": rows,
    }
    return render(request, "evaluations/evaluation_docs.html", context)


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Confirm (GET), then turn off optional mail for the token's user (POST)."""
    try:
        if request.method == "POST":
            user = reminders.optional_email_unsubscribe(token=token)
        else:
            user = reminders.optional_email_user(token=token)
    except signing.BadSignature:
        raise Http404("This unsubscribe link is not valid or has expired.") from None
    return render(
        request,
        "evaluations/unsubscribed.html",
        {"email": user.email, "done": request.method == "POST"},
    )
