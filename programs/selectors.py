"""Reads of programs, timelines, organizations and roles; each decides what its viewer may see."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from programs.models import (
    Invitation,
    InvitationStatus,
    Membership,
    Milestone,
    MilestoneState,
    Organization,
    Participation,
    ParticipationStatus,
    Program,
    ProgramManager,
    Role,
)


def _is_authenticated(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def program_list(*, viewer) -> QuerySet[Program]:
    """Public programs, plus the hidden ones the viewer manages (all of them for superusers)."""
    programs = Program.objects.all()
    if _is_authenticated(viewer) and viewer.is_superuser:
        return programs
    visible = Q(is_public=True)
    if _is_authenticated(viewer):
        visible |= Q(managers__user=viewer)
    return programs.filter(visible).distinct()


def programs_managed(*, viewer) -> QuerySet[Program]:
    """The programs the viewer runs: all of them for superusers, none for a visitor.

    What the admin shows a manager is scoped by it (programs/admin/scopes.py), as the
    managers' pages are by program_for_manager.
    """
    if not _is_authenticated(viewer):
        return Program.objects.none()
    if viewer.is_superuser:
        return Program.objects.all()
    return Program.objects.filter(managers__user=viewer)


def program_get(*, slug: str, viewer) -> Program:
    """The program with its timeline prefetched, or 404 when the viewer may not see it."""
    program = (
        program_list(viewer=viewer)
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.all()))
        .filter(slug=slug)
        .first()
    )
    if program is None:
        raise Http404("No such program.")
    return program


def program_for_manager(*, slug: str, viewer) -> Program:
    """The program if the viewer manages it; 404 otherwise, as if it did not exist."""
    from programs.services import is_program_manager

    program = program_get(slug=slug, viewer=viewer)
    if not is_program_manager(user=viewer, program=program):
        raise Http404("No such program, or you do not manage it.")
    return program


@dataclass(frozen=True)
class TimelineEntry:
    milestone: Milestone
    state: str


def program_timeline(*, program: Program, now: datetime) -> list[TimelineEntry]:
    return [TimelineEntry(m, m.state(now)) for m in program.milestones.all()]


def program_open_milestones(*, program: Program, now: datetime) -> list[Milestone]:
    return [m for m in program.milestones.all() if m.state(now) == MilestoneState.OPEN]


def program_next_milestone(*, program: Program, now: datetime) -> Milestone | None:
    """The next milestone that has not begun yet."""
    upcoming = [m for m in program.milestones.all() if m.begins_at > now]
    return min(upcoming, key=lambda m: m.begins_at, default=None)


def milestones_open(*, kind: str, now: datetime) -> QuerySet[Milestone]:
    """Milestones of one kind whose window (or instant) includes now, in public programs."""
    return (
        Milestone.objects.filter(kind=kind, ends_at__gte=now, program__is_public=True)
        .filter(Q(starts_at__lte=now) | Q(starts_at__isnull=True, ends_at=now))
        .select_related("program")
    )


def milestones_upcoming(*, now: datetime, limit: int = 8) -> QuerySet[Milestone]:
    """The next deadlines or openings across public programs."""
    return (
        Milestone.objects.filter(program__is_public=True, ends_at__gte=now)
        .select_related("program")
        .order_by("ends_at")[:limit]
    )


def accepted_participations(*, program: Program) -> QuerySet[Participation]:
    return (
        program.participations.filter(status=ParticipationStatus.ACCEPTED)
        .select_related("organization")
        .prefetch_related("organization__tags")
    )


def program_counts(*, program: Program) -> dict[str, int]:
    return program.participations.aggregate(
        accepted=Count("pk", filter=Q(status=ParticipationStatus.ACCEPTED)),
        applied=Count("pk"),
    )


def organization_get(*, slug: str, viewer) -> tuple[Organization, list[Participation]]:
    """The organization and the participations the viewer may see.

    Everyone sees accepted participations in public programs; its own members and the program's
    managers also see pending and rejected applications.
    """
    organization = Organization.objects.prefetch_related("tags").filter(slug=slug).first()
    if organization is None:
        raise Http404("No such organization.")
    visible = Q(status=ParticipationStatus.ACCEPTED, program__is_public=True)
    if _is_authenticated(viewer):
        visible |= Q(memberships__user=viewer) | Q(program__managers__user=viewer)
        if viewer.is_superuser:
            visible = Q()
    participations = list(
        organization.participations.filter(visible)
        .select_related("program")
        .distinct()
        .order_by("-program__year", "program__name")
    )
    return organization, participations


def participation_for_admin(*, program_slug: str, org_slug: str, viewer) -> Participation:
    """A participation the viewer administers (org admin or manager); 404 for anyone else."""
    if not _is_authenticated(viewer):
        raise Http404
    participation = (
        Participation.objects.select_related("program", "organization")
        .filter(program__slug=program_slug, organization__slug=org_slug)
        .filter(
            Q(memberships__user=viewer, memberships__role=Role.ORG_ADMIN)
            | Q(program__managers__user=viewer)
        )
        .distinct()
        .first()
    )
    if participation is None:
        raise Http404("No such organization in this program, or you do not administer it.")
    return participation


def participation_team(*, participation: Participation):
    members = participation.memberships.select_related("user").order_by("role", "user__email")
    invitations = participation.invitations.filter(status=InvitationStatus.PENDING).order_by(
        "email"
    )
    return members, invitations


def memberships_of(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related(
        "participation__program", "participation__organization"
    )


def invitations_for(*, user, now: datetime) -> QuerySet[Invitation]:
    """Usable invitations addressed to any of the user's verified e-mail addresses."""
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user, verified=True).values("email")
    return Invitation.objects.filter(
        status=InvitationStatus.PENDING, expires_at__gte=now, email__in=addresses
    ).select_related("participation__program", "participation__organization")


def participation_for_member(
    *, program_slug: str, org_slug: str, user
) -> tuple[Participation, set]:
    """The participation and the viewer's roles in it (managers get {"manager"}); 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    participation = (
        Participation.objects.select_related("program", "organization")
        .filter(program__slug=program_slug, organization__slug=org_slug)
        .first()
    )
    if participation is None:
        raise Http404
    roles = set(participation.memberships.filter(user=user).values_list("role", flat=True))
    if participation.program.managers.filter(user=user).exists():
        roles.add("manager")
    if not roles:
        raise Http404("No such organization in this program, or you are not one of its team.")
    return participation, roles


def team_participation_ids(*, user) -> set[int]:
    """Participations the user is an org admin or mentor of (for edit links), in one query."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user).values_list("participation_id", flat=True))


def organizations_listed(*, viewer, program=None) -> QuerySet[Organization]:
    """Organizations accepted into a program the viewer may see (or into the one given).

    It reads through program_list and accepted_participations, so it shows no more than the
    pages do.
    """
    if program is not None:
        participations = accepted_participations(program=program).values("organization")
        organizations = Organization.objects.filter(pk__in=participations)
    else:
        organizations = Organization.objects.filter(
            participations__status=ParticipationStatus.ACCEPTED,
            participations__program__in=program_list(viewer=viewer).values("pk"),
        ).distinct()
    return organizations.prefetch_related("tags")


def roles_of(*, user, token=None) -> dict:
    """The caller's roles: programs managed, memberships, profiles, and the token in use."""
    managed = ProgramManager.objects.filter(user=user).select_related("program")
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "is_superuser": user.is_superuser,
        "managed_programs": sorted(m.program.slug for m in managed),
        "memberships": list(memberships_of(user=user)),
        "is_contributor": hasattr(user, "contributor_profile"),
        "is_writer": hasattr(user, "writer_profile"),
        "token": token,
    }
