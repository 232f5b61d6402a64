"""The docs season's writer and wrap-up pages: the writer directory, statements of interest,
hiring, case studies (edit, review, publication) and follow-up surveys.

Views are thin: rules and deadlines are the services', what a viewer may read is the
selectors'. Refusals re-render the page with status 400 and everything typed kept.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from docs_season import selectors
from docs_season.forms import (
    CaseStudyForm,
    DeliverableFormSet,
    HireForm,
    LessonFormSet,
    StatementForm,
    SurveyForm,
    WriterFilterForm,
    WriterProfileForm,
    formset_rows,
)
from docs_season.models import CaseStudyStatus, StatementOfInterest, Survey, WriterProfile
from docs_season.services import case_studies as case_studies_services
from docs_season.services import hiring, surveys
from docs_season.services.profiles import writer_profile_save
from programs import selectors as program_selectors
from programs.forms import add_service_errors
from programs.models import MilestoneKind, Participation, ParticipationStatus, Role
from programs.profiles import profile_page
from programs.selectors import program_for_manager, program_get


def _docs_participation(request, program_slug, org_slug, *, admin_only=True):
    """The participation and the viewer's roles, for its org admins (and, unless `admin_only`,
    the program's managers); everyone else gets 404, mentors included."""
    participation, roles = program_selectors.participation_for_member(
        program_slug=program_slug, org_slug=org_slug, user=request.user
    )
    allowed = {Role.ORG_ADMIN} if admin_only else {Role.ORG_ADMIN, "manager"}
    if not participation.program.is_docs or not roles & allowed:
        raise Http404("No such organization in this docs program, or you are not its org admin.")
    return participation, roles


def writer_directory(request):
    """Public: the technical writers who keep a public profile, filtered by skill or words."""
    form = WriterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    writers = selectors.writers_directory(
        skill=filters.get("skill", ""), query=filters.get("q", "")
    )
    context = {"form": form, "writers": writers, "filtered": any(filters.values())}
    return render(request, "docs_season/writer_directory.html", context)


def writer_detail(request, pk):
    """Public: one writer's profile; a hidden profile is visible to its owner only."""
    profile = get_object_or_404(WriterProfile.objects.select_related("user"), pk=pk)
    if not profile.is_public and profile.user_id != request.user.pk:
        raise Http404("No such writer.")
    return render(request, "docs_season/writer_detail.html", {"profile": profile})


@login_required
def statement_send(request, program_slug, org_slug):
    """A writer sends (or replaces) a statement of interest to an accepted docs organization."""
    program = program_get(slug=program_slug, viewer=request.user)
    # Only accepted organizations take statements; an application still pending (or rejected)
    # is private to its organization and the managers, so it is a 404 here like a missing one.
    participation = get_object_or_404(
        Participation.objects.select_related("organization", "program"),
        program=program,
        organization__slug=org_slug,
        status=ParticipationStatus.ACCEPTED,
    )
    if not program.is_docs:
        raise Http404("Statements of interest are for docs programs.")
    now = timezone.now()
    mine = StatementOfInterest.objects.filter(
        writer=request.user, participation__program=program
    ).select_related("participation__organization")
    existing = next((s for s in mine if s.participation_id == participation.pk), None)
    form = StatementForm(
        request.POST or None, initial={"message": existing.message if existing else ""}
    )
    not_a_writer = False
    if request.method == "POST" and form.is_valid():
        try:
            hiring.statement_send(
                participation=participation,
                writer=request.user,
                message=form.cleaned_data["message"],
                now=now,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            not_a_writer = hiring.NOT_A_WRITER in error.messages
        else:
            messages.success(
                request, f"Your statement of interest was sent to {participation.organization}."
            )
            return redirect(request.path)
    context = {
        "program": program,
        "participation": participation,
        "organization": participation.organization,
        "form": form,
        "statements": mine,
        "existing": existing,
        "has_profile": WriterProfile.objects.filter(user=request.user).exists(),
        "hiring_closed": hiring.hiring_error(program, now),
        "deadline": program.milestone(MilestoneKind.HIRING_DEADLINE),
        "not_a_writer": not_a_writer,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "docs_season/statement_send.html", context, status=status)


@login_required
def org_writers(request, program_slug, org_slug):
    """The statements sent to this organization and its hires; its org admins hire writers,
    the program's managers read along."""
    participation, roles = _docs_participation(request, program_slug, org_slug, admin_only=False)
    program = participation.program
    can_hire = Role.ORG_ADMIN in roles
    now = timezone.now()
    statements = list(selectors.statements_for_org(participation=participation))
    hires = list(participation.hires.select_related("writer__writer_profile"))
    hired = {hire.writer_id for hire in hires}
    posted_writer = request.POST.get("writer") if request.method == "POST" else None

    rows = []
    bound = None
    for statement in statements:
        is_posted = can_hire and posted_writer == str(statement.writer_id)
        form = HireForm(request.POST if is_posted else None, prefix=f"hire-{statement.writer_id}")
        rows.append((statement, form))
        if is_posted:
            bound = (statement, form)

    if request.method == "POST":
        if bound is None:
            raise Http404("No statement from this writer.")
        statement, form = bound
        if form.is_valid():
            try:
                hiring.writer_hire(
                    participation=participation,
                    by=request.user,
                    writer=statement.writer,
                    now=now,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{statement.writer} is hired.")
                return redirect(request.path)

    context = {
        "participation": participation,
        "program": program,
        "organization": participation.organization,
        "roles": roles,
        "can_hire": can_hire,
        "rows": rows,
        "hires": hires,
        "writer_budget": hiring.writer_budget(participation, hires=hires),
        "hired": hired,
        "hiring_closed": hiring.hiring_error(program, now),
        "deadline": program.milestone(MilestoneKind.HIRING_DEADLINE),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "docs_season/org_writers.html", context, status=status)


def _case_study_forms(request, case_study, *, bound):
    if bound:
        # Rows posted are the whole truth: stored rows as `initial` would make a re-posted
        # row look "unchanged", and a formset skips unchanged extra rows.
        return (
            CaseStudyForm(request.POST, case_study=case_study),
            DeliverableFormSet(request.POST, prefix="deliverables"),
            LessonFormSet(request.POST, prefix="lessons"),
        )
    deliverables = [
        {k: getattr(d, k) for k in ("title", "planned", "percent_complete", "links", "notes")}
        for d in case_study.deliverables.all()
    ]
    lessons = [
        {k: getattr(lesson, k) for k in ("kind", "topic", "what_we_did", "lesson")}
        for lesson in case_study.lessons.all()
    ]
    return (
        CaseStudyForm(case_study=case_study),
        DeliverableFormSet(initial=deliverables, prefix="deliverables"),
        LessonFormSet(initial=lessons, prefix="lessons"),
    )


@login_required
def case_study_edit(request, program_slug, org_slug):
    """The organization's case study, after Season of Docs' template: saved as a draft at any
    time, submitted for review inside its window, read-only once submitted."""
    participation, _ = _docs_participation(request, program_slug, org_slug)
    try:
        case_study = case_studies_services.case_study_for(
            participation=participation, by=request.user
        )
    except (ValidationError, PermissionDenied):
        raise Http404("This organization has no case study in this program.") from None
    program = participation.program
    now = timezone.now()
    editable = case_study.status in {CaseStudyStatus.DRAFT, CaseStudyStatus.RETURNED}
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in {"save", "submit"}:
        action = None
    if action and not editable:
        messages.error(request, "This case study can no longer be changed.")
        return redirect(request.path)
    form, deliverables, lessons = _case_study_forms(request, case_study, bound=bool(action))
    submit_errors, window_refused = [], False

    # `&`, not `and`: every part is validated so all errors show at once.
    if action and form.is_valid() & deliverables.is_valid() & lessons.is_valid():
        try:
            case_studies_services.case_study_save(
                case_study=case_study,
                by=request.user,
                data=form.cleaned_data,
                deliverables=formset_rows(deliverables),
                lessons=formset_rows(lessons),
                now=now,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if action == "save":
                messages.success(request, "Your draft was saved.")
                return redirect(request.path)
            try:
                case_studies_services.case_study_submit(
                    case_study=case_study, by=request.user, now=now
                )
            except ValidationError as error:
                # The draft is kept; say what still stops the submission.
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        if field in form.fields:
                            form.add_error(field, errors)
                        else:
                            submit_errors.extend(errors)
                    submit_errors.insert(
                        0, "Your draft was saved, but some answers are still missing."
                    )
                else:
                    submit_errors.extend(error.messages)
                    window_refused = True
            else:
                messages.success(request, "Your case study was submitted for review.")
                return redirect(request.path)

    context = {
        "participation": participation,
        "program": program,
        "organization": participation.organization,
        "case_study": case_study,
        "editable": editable,
        "form": form,
        "deliverables": deliverables,
        "lessons": lessons,
        "submit_errors": submit_errors,
        "window_refused": window_refused,
        "window": program.milestone(MilestoneKind.CASE_STUDY),
        "window_error": case_studies_services.case_study_window_error(program, now),
    }
    status = 400 if action else 200
    return render(request, "docs_season/case_study_edit.html", context, status=status)


@login_required
def program_case_studies(request, slug):
    """Managers read the program's case studies and accept or return the submitted ones."""
    program = program_for_manager(slug=slug, viewer=request.user)
    now = timezone.now()
    studies = list(selectors.case_studies_for_manager(program=program))
    error = None
    if request.method == "POST":
        study = next((s for s in studies if str(s.pk) == request.POST.get("case_study")), None)
        action = request.POST.get("action")
        if study is None or action not in {"accept", "return"}:
            raise Http404("No such case study in this program.")
        try:
            case_studies_services.case_study_review(
                case_study=study,
                by=request.user,
                accept=action == "accept",
                note=request.POST.get("note", "")[:3000],
                now=now,
            )
        except ValidationError as refusal:
            error = (study, " ".join(refusal.messages))
        else:
            verb = "accepted" if action == "accept" else "returned for changes"
            messages.success(
                request, f"The case study of {study.participation.organization} was {verb}."
            )
            return redirect(request.path)
    context = {
        "program": program,
        "studies": studies,
        "without": program.participations.filter(
            status=ParticipationStatus.ACCEPTED, case_study__isnull=True
        )
        .select_related("organization")
        .order_by("organization__name"),
        "error": error,
        "note": request.POST.get("note", "") if error else "",
        "results": program.milestone(MilestoneKind.RESULTS),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "docs_season/program_case_studies.html", context, status=status)


def case_studies(request):
    """Public: accepted case studies of programs whose results date has passed."""
    studies = selectors.case_studies_published(now=timezone.now())
    return render(request, "docs_season/case_studies.html", {"studies": studies})


def case_study_detail(request, pk):
    """Public: one published case study; anything else is a 404."""
    study = selectors.case_studies_published(now=timezone.now()).filter(pk=pk).first()
    if study is None:
        raise Http404("No such published case study.")
    return render(request, "docs_season/case_study_detail.html", {"study": study})


@login_required
def survey_answer(request, program_slug, org_slug, sequence):
    """An org admin answers a follow-up survey for the organization, once, in its window."""
    participation, _ = _docs_participation(request, program_slug, org_slug)
    if not participation.is_accepted:
        raise Http404("Only accepted organizations answer follow-up surveys.")
    survey = get_object_or_404(Survey, program=participation.program, sequence=sequence)
    response = survey.responses.filter(participation=participation).first()
    now = timezone.now()
    form = SurveyForm(
        request.POST or None,
        questions=survey.questions,
        initial=response.answers if response else None,
        disabled=response is not None and request.method != "POST",
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                surveys.survey_answer(
                    survey=survey,
                    participation=participation,
                    by=request.user,
                    answers=form.answers(),
                    now=now,
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Thank you: “{survey.title}” was answered.")
            return redirect(request.path)
    context = {
        "participation": participation,
        "program": participation.program,
        "organization": participation.organization,
        "survey": survey,
        "response": response,
        "form": form,
        "window": surveys.survey_window(survey),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "docs_season/survey_answer.html", context, status=status)


@login_required
def writer_profile(request):
    """Create or edit the technical writer's public profile."""
    save = partial(writer_profile_save, user=request.user, now=timezone.now())
    return profile_page(request, form_class=WriterProfileForm, title="Writer profile", save=save)
