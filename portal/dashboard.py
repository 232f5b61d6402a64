"""What each role must do next, with its deadline: the dashboard's one selector."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.urls import reverse

from applications.models import ContributorProfile
from docs_season.models import WriterProfile
from evaluations import selectors as evaluation_selectors
from programs import selectors
from programs.models import (
    Invitation,
    InvitationStatus,
    Membership,
    Milestone,
    MilestoneKind,
    MilestoneState,
    ParticipationStatus,
    Program,
    ProgramKind,
    Role,
)


@dataclass
class Task:
    title: str
    url: str
    due: datetime | None = None
    detail: str = ""


@dataclass
class Section:
    heading: str
    role: str
    tasks: list[Task] = field(default_factory=list)


def _live(program: Program, kind: str, now: datetime) -> Milestone | None:
    """The program's milestone of that kind if it has not passed yet."""
    milestone = program.milestone(kind)
    if milestone is None or milestone.state(now) == MilestoneState.PAST:
        return None
    return milestone


def _due(program: Program, kind: str, now: datetime) -> datetime | None:
    milestone = _live(program, kind, now)
    return milestone.ends_at if milestone else None


def _manager_section(user, now) -> Section | None:
    programs = list(
        Program.objects.filter(managers__user=user)
        .prefetch_related("milestones")
        .annotate(pending=Count("participations", filter=Q(participations__status="applied")))
    )
    if not programs:
        return None
    section = Section("Programs you manage", "manager")
    for program in programs:
        url = reverse("program_detail", args=[program.slug])
        if program.pending:
            section.tasks.append(
                Task(
                    f"Decide {program.pending} organization application(s) to {program.name}",
                    reverse("admin:programs_participation_changelist")
                    + f"?program__id__exact={program.pk}&status__exact=applied",
                    _due(program, MilestoneKind.ORGS_ANNOUNCED, now),
                )
            )
        upcoming = selectors.program_next_milestone(program=program, now=now)
        if upcoming:
            section.tasks.append(
                Task(f"{program.name}: next, {upcoming.label}", url, upcoming.begins_at)
            )
    return section


def _one_to_one(participation, name):
    """The participation's reverse one-to-one row (select_related by the caller), or None."""
    try:
        return getattr(participation, name)
    except ObjectDoesNotExist:
        return None


def _docs_admin_tasks(membership, now) -> list[Task]:
    """A docs org admin's obligations, each with its due instant and where it stands; what it
    reads was fetched with the memberships (see _member_sections), so it costs no query."""
    participation = membership.participation
    program, org = participation.program, participation.organization
    args = [program.slug, org.slug]
    tasks = []
    proposal = _one_to_one(participation, "doc_proposal")
    if proposal and proposal.status == "draft":
        tasks.append(
            Task(
                "Submit your doc-project proposal",
                reverse("doc_proposal_edit", args=[proposal.pk]),
                _due(program, MilestoneKind.ORG_APPLICATIONS, now),
                "draft saved, not submitted",
            )
        )
    if participation.status != ParticipationStatus.ACCEPTED:
        return tasks
    hires, statements = membership.hires, membership.statements
    if due := _due(program, MilestoneKind.HIRING_DEADLINE, now):
        tasks.append(
            Task(
                "Hire your technical writers",
                reverse("org_writers", args=args),
                due,
                f"{hires} hired · {statements} statement(s) of interest",
            )
        )
    window = _live(program, MilestoneKind.CASE_STUDY, now)
    if window:
        study = _one_to_one(participation, "case_study")
        tasks.append(
            Task(
                "Case study and final project evaluation",
                reverse("case_study_edit", args=args),
                window.ends_at,
                study.get_status_display().lower() if study else "not started",
            )
        )
    answered = {response.survey.sequence for response in participation.survey_responses.all()}
    for survey in program.surveys.all():
        milestone = program.milestone(MilestoneKind.FOLLOW_UP_SURVEY, survey.sequence)
        if milestone is None or milestone.state(now) == MilestoneState.PAST:
            continue
        tasks.append(
            Task(
                survey.title,
                reverse("survey_answer", args=[*args, survey.sequence]),
                milestone.ends_at,
                "answered"
                if survey.sequence in answered
                else MilestoneState(milestone.state(now)).label.lower(),
            )
        )
    return tasks


def _count(model, **filters):
    """A correlated COUNT of `model` rows of the membership's participation: subqueries rather
    than joins, which would multiply each other's rows (mentors by invitations by statements)."""
    rows = (
        model.objects.filter(participation=OuterRef("participation"), **filters)
        .order_by()
        .values("participation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def _member_sections(user, now) -> list[Section]:
    from docs_season.models import Hire, StatementOfInterest, SurveyResponse

    memberships = list(
        selectors.memberships_of(user=user)
        .exclude(participation__status__in=[ParticipationStatus.REJECTED, "withdrawn"])
        # A docs org admin's tasks read the proposal and the case study: one join each.
        .select_related("participation__doc_proposal", "participation__case_study")
        .prefetch_related(Prefetch("participation__program__milestones"))
        .annotate(
            mentors=_count(Membership, role=Role.MENTOR),
            pending_invites=_count(Invitation, status=InvitationStatus.PENDING),
            hires=_count(Hire),
            statements=_count(StatementOfInterest),
        )
    )
    # Surveys and their answers only for the docs organizations the user administers.
    prefetch_related_objects(
        [
            m.participation
            for m in memberships
            if m.role == Role.ORG_ADMIN and m.participation.program.kind == ProgramKind.DOCS
        ],
        Prefetch("survey_responses", queryset=SurveyResponse.objects.select_related("survey")),
        "program__surveys",
    )
    sections = []
    for membership in memberships:
        participation = membership.participation
        program, org = participation.program, participation.organization
        last = max((m.ends_at for m in program.milestones.all()), default=None)
        if last is not None and now > last:
            continue  # the season, follow-up surveys included, is over for this role
        section = Section(
            f"{membership.get_role_display()} of {org.name} in {program.name}", membership.role
        )
        team_url = reverse("participation_team", args=[program.slug, org.slug])
        program_url = reverse("program_detail", args=[program.slug])
        proposals_url = reverse("org_proposals", args=[program.slug, org.slug])
        if membership.role == Role.ORG_ADMIN:
            if participation.status == ParticipationStatus.APPLIED:
                section.tasks.append(
                    Task(
                        "Your application awaits the program managers' decision",
                        program_url,
                        _due(program, MilestoneKind.ORGS_ANNOUNCED, now),
                    )
                )
            if program.kind == ProgramKind.CODING and not membership.mentors:
                section.tasks.append(Task("Invite your mentors", team_url))
            if membership.pending_invites:
                section.tasks.append(
                    Task(f"{membership.pending_invites} invitation(s) not yet answered", team_url)
                )
            if program.kind == ProgramKind.CODING and (
                due := _due(program, MilestoneKind.RANKING_DUE, now)
            ):
                section.tasks.append(Task("Rank proposals and request slots", proposals_url, due))
            if program.kind == ProgramKind.CODING and (
                due := _due(program, MilestoneKind.CONTRIBUTOR_APPLICATIONS, now)
            ):
                section.tasks.append(
                    Task(
                        "Publish project ideas for contributors",
                        reverse("idea_new", args=[program.slug, org.slug]),
                        due,
                    )
                )
            if program.kind == ProgramKind.DOCS:
                section.tasks.extend(_docs_admin_tasks(membership, now))
        else:
            if program.kind == ProgramKind.CODING and (
                due := _due(program, MilestoneKind.RANKING_DUE, now)
            ):
                section.tasks.append(Task("Review and score proposals", proposals_url, due))
        sections.append(section)
    return sections


def _applicant_section(
    user, now, *, kind, window_kind, heading, role, has_profile, action, action_url, profile_url
):
    section = Section(heading, role)
    if not has_profile:
        section.tasks.append(Task("Complete your profile", profile_url))
    programs = (
        Program.objects.filter(
            is_public=True, kind=kind, milestones__kind=window_kind, milestones__ends_at__gte=now
        )
        .prefetch_related("milestones")
        .distinct()
    )
    for program in programs:
        milestone = program.milestone(window_kind)
        state = milestone.state(now)
        verb = "until" if state == MilestoneState.OPEN else "opens"
        section.tasks.append(
            Task(
                f"{program.name}: {action}",
                reverse(action_url, args=[program.slug]),
                milestone.ends_at,
                f"{verb} {milestone.begins_at:%d %b %H:%M} UTC"
                if state != MilestoneState.OPEN
                else "open now",
            )
        )
    return section


def _evaluations_section(viewer, now) -> Section | None:
    """Open evaluations the viewer must file, whatever their role in each."""
    periods = list(evaluation_selectors.evaluations_todo(viewer=viewer, now=now))
    if not periods:
        return None
    return Section(
        "Evaluations due",
        "evaluations",
        [
            Task(
                f"{p.get_kind_display()}: "
                + (p.project.title if p.project_id else p.participation.organization.name),
                reverse("evaluation_file", args=[p.pk]),
                p.closes_at,
                p.get_side_display(),
            )
            for p in periods
        ],
    )


def dashboard_sections(*, viewer, now: datetime) -> list[Section]:
    """Every role the viewer holds, each with its next tasks sorted by deadline."""
    sections: list[Section] = []
    if evaluations := _evaluations_section(viewer, now):
        sections.append(evaluations)
    invitations = list(selectors.invitations_for(user=viewer, now=now))
    if invitations:
        sections.append(
            Section(
                "Invitations",
                "invited",
                [
                    Task(
                        f"Join {i.participation.organization} in {i.participation.program} "
                        f"as {i.get_role_display().lower()}",
                        reverse("invitation_answer", args=[i.pk]),
                        i.expires_at,
                    )
                    for i in invitations
                ],
            )
        )
    if manager := _manager_section(viewer, now):
        sections.append(manager)
    member_sections = _member_sections(viewer, now)
    sections.extend(member_sections)
    is_contributor = ContributorProfile.objects.filter(user=viewer).exists()
    is_writer = WriterProfile.objects.filter(user=viewer).exists()
    # Someone with no role yet sees both ways in, each starting with "complete your profile".
    has_roles = viewer.memberships.exists() or viewer.is_staff
    newcomer = not (has_roles or is_contributor or is_writer)
    if is_contributor or newcomer:
        sections.append(
            _applicant_section(
                viewer,
                now,
                kind=ProgramKind.CODING,
                window_kind=MilestoneKind.CONTRIBUTOR_APPLICATIONS,
                heading="As a contributor",
                role="contributor",
                has_profile=is_contributor,
                action="submit your proposals",
                action_url="my_proposals",
                profile_url=reverse("contributor_profile"),
            )
        )
    if is_writer or newcomer:
        sections.append(
            _applicant_section(
                viewer,
                now,
                kind=ProgramKind.DOCS,
                window_kind=MilestoneKind.HIRING_DEADLINE,
                heading="As a technical writer",
                role="writer",
                has_profile=is_writer,
                action="send statements of interest before the hiring deadline",
                action_url="program_detail",
                profile_url=reverse("writer_profile"),
            )
        )
    for section in sections:
        # Undated tasks (complete a profile, invite mentors) come first: they unblock the rest.
        section.tasks.sort(key=lambda t: (t.due is not None, t.due or now))
    return sections
