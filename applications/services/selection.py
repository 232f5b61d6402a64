"""Slot allocation and the choice of accepted proposals: pure rules first, then the services
that preview, apply and announce them.

Allocation rule: every accepted organization that requested slots gets one; the slots left are
shared in proportion to what each asked for beyond its first (largest remainder, ties to the
organization listed first), never above its request. Organizations that requested nothing, or
have no mentor, get none and are listed as such in the preview.

Choice rule: each organization takes its ranked proposals in order until its slots are full. A
contributor chosen by two organizations goes to the one that ranked them higher (smaller rank),
then to the contributor's own preference; the losing organization takes its next-ranked
proposal. Repeated until nothing changes (each contributor's place only ever improves, so it ends).
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse

from applications.models import Project, Proposal, ProposalStatus
from applications.signals import project_accepted
from audit.services import audit_record_many
from programs.guards import require_manager
from programs.models import MilestoneKind, Participation, ParticipationStatus, Program, Role
from programs.outbox import outbox_add

NOT_MANAGER = "Only a manager of this program can allocate slots and accept contributors."
TOO_FEW_SLOTS = "{count} organizations requested slots: the program needs at least {count} slots."
ALREADY_ANNOUNCED = "Accepted contributors of this program were already announced."
NO_CODING_WINDOW = "Add the program's coding period to its timeline before announcing."
NOT_ALLOCATED = "Allocate slots before choosing contributors."


def allocate_slots(requests: Mapping[Hashable, int], total: int) -> dict[Hashable, int]:
    """Share `total` slots among organizations by their requests (see the module's rule)."""
    wanting = {key: asked for key, asked in requests.items() if asked and asked > 0}
    if total < len(wanting):
        raise ValueError(TOO_FEW_SLOTS.format(count=len(wanting)))
    allocation = dict.fromkeys(wanting, 1)
    extra = {key: asked - 1 for key, asked in wanting.items()}
    spare = total - len(wanting)
    wanted = sum(extra.values())
    if wanted <= spare:
        return dict(wanting)
    # Integer arithmetic: quota = spare * extra / wanted, floor first, remainders after.
    remainders = []
    for position, (key, more) in enumerate(extra.items()):
        whole, remainder = divmod(spare * more, wanted)
        allocation[key] += whole
        remainders.append((-remainder, position, key))
    left = total - sum(allocation.values())
    for _, _, key in sorted(remainders)[:left]:
        allocation[key] += 1
    return allocation


@dataclass(frozen=True)
class Candidate:
    proposal: Hashable
    contributor: Hashable
    rank: int
    preference: int  # the contributor's own order; large when not given


def choose(
    ranked: Mapping[Hashable, list[Candidate]], slots: Mapping[Hashable, int]
) -> dict[Hashable, list[Candidate]]:
    """Each organization's chosen candidates (see the module's rule)."""
    chosen: dict[Hashable, list[Candidate]] = {org: [] for org in ranked}
    pointer = dict.fromkeys(ranked, 0)
    holder: dict[Hashable, tuple[Hashable, Candidate]] = {}

    def better(a: Candidate, b: Candidate) -> bool:
        return (a.rank, a.preference, str(a.proposal)) < (b.rank, b.preference, str(b.proposal))

    changed = True
    while changed:
        changed = False
        for org, candidates in ranked.items():
            while len(chosen[org]) < slots.get(org, 0) and pointer[org] < len(candidates):
                candidate = candidates[pointer[org]]
                pointer[org] += 1
                held = holder.get(candidate.contributor)
                if held is not None:
                    if not better(candidate, held[1]):
                        continue
                    chosen[held[0]].remove(held[1])
                    changed = True
                chosen[org].append(candidate)
                holder[candidate.contributor] = (org, candidate)
    return chosen


def _accepted(program: Program):
    return program.participations.filter(status=ParticipationStatus.ACCEPTED).select_related(
        "organization"
    )


def slots_preview(*, program: Program, total: int) -> list[tuple[Participation, int, int]]:
    """(participation, mentors, proposed slots) for each accepted organization; one without a
    mentor gets no slot, whatever it requested (nobody could mentor its contributor)."""
    mentors = Count("memberships", filter=Q(memberships__role=Role.MENTOR), distinct=True)
    participations = list(_accepted(program).annotate(mentor_count=mentors))
    requests = {p.pk: (p.slots_requested or 0) if p.mentor_count else 0 for p in participations}
    try:
        allocation = allocate_slots(requests, total)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    return [(p, p.mentor_count, allocation.get(p.pk, 0)) for p in participations]


def slots_apply(*, program: Program, by, total: int, now: datetime) -> None:
    """Store the program's total and each organization's allocation, as previewed."""
    require_manager(program, by, NOT_MANAGER)
    rows = slots_preview(program=program, total=total)
    with transaction.atomic():
        program.total_slots = total
        program.save(update_fields=["total_slots"])
        for participation, _, slots in rows:
            participation.slots_allocated = slots if slots else None
            participation.save(update_fields=["slots_allocated"])


def selection_preview(*, program: Program) -> dict[Participation, list[Proposal]]:
    """The proposals each organization would accept, in rank order."""
    participations = {p.pk: p for p in _accepted(program)}
    if not any(p.slots_allocated for p in participations.values()):
        raise ValidationError(NOT_ALLOCATED)
    proposals = (
        Proposal.objects.filter(
            participation__in=participations,
            status=ProposalStatus.SUBMITTED,
            rank__isnull=False,
            duplicate_of__isnull=True,
        )
        .select_related("contributor", "participation__organization")
        .order_by("participation_id", "rank")
    )
    by_id = {}
    ranked: dict[int, list[Candidate]] = {pk: [] for pk in participations}
    for proposal in proposals:
        by_id[proposal.pk] = proposal
        ranked[proposal.participation_id].append(
            Candidate(
                proposal.pk, proposal.contributor_id, proposal.rank, proposal.preference or 99
            )
        )
    slots = {pk: p.slots_allocated or 0 for pk, p in participations.items()}
    chosen = choose(ranked, slots)
    return {
        participations[pk]: [by_id[c.proposal] for c in candidates]
        for pk, candidates in chosen.items()
    }


def program_announce(*, program: Program, by, now: datetime) -> list[Project]:
    """Accept the chosen proposals, turn them into projects and notify everyone, once."""
    require_manager(program, by, NOT_MANAGER)
    coding = program.milestones.filter(kind=MilestoneKind.CODING).first()
    if coding is None or coding.starts_at is None:
        raise ValidationError(NO_CODING_WINDOW)
    if Project.objects.filter(participation__program=program).exists():
        raise ValidationError(ALREADY_ANNOUNCED)
    chosen = selection_preview(program=program)
    projects = []
    with transaction.atomic():
        accepted_ids = []
        for participation, proposals in chosen.items():
            for proposal in proposals:
                accepted_ids.append(proposal.pk)
                project = Project.objects.create(
                    proposal=proposal,
                    participation=participation,
                    contributor=proposal.contributor,
                    title=proposal.title,
                    size=proposal.size,
                    length_weeks=proposal.length_weeks,
                    coding_starts_at=coding.starts_at,
                    coding_ends_at=coding.starts_at + timedelta(weeks=proposal.length_weeks),
                    accepted_at=now,
                    announced_at=now,
                )
                project.mentors.set(proposal.mentors.all())
                project_accepted.send(sender=Project, project=project)
                projects.append(project)
        Proposal.objects.filter(pk__in=accepted_ids).update(status=ProposalStatus.ACCEPTED)
        rejected = Proposal.objects.filter(program=program, status=ProposalStatus.SUBMITTED)
        rejected_ids = list(rejected.values_list("pk", flat=True))
        rejected.filter(pk__in=rejected_ids).update(status=ProposalStatus.REJECTED)
        for action, ids, status in [
            ("proposal.accept", accepted_ids, ProposalStatus.ACCEPTED),
            ("proposal.reject", rejected_ids, ProposalStatus.REJECTED),
        ]:
            audit_record_many(
                actor=by,
                action=action,
                model=Proposal,
                object_ids=ids,
                before={"status": ProposalStatus.SUBMITTED},
                after={"status": status},
                program=program,
                at=now,
            )
        for project in projects:
            _accepted_mail(project, now)
    return projects


def _accepted_mail(project: Project, now: datetime) -> None:
    """Tell the accepted contributor, with the project's mentors and org admins in copy; stored
    in the outbox with the project, so it is sent once the announcement commits."""
    org = project.participation.organization
    program = project.participation.program
    recipients = {project.contributor.email}
    recipients |= {mentor.email for mentor in project.mentors.all()}
    recipients |= set(
        project.participation.memberships.filter(role=Role.ORG_ADMIN).values_list(
            "user__email", flat=True
        )
    )
    context = {
        "project": project,
        "organization": org,
        "program": program,
        "url": settings.SITE_URL + reverse("program_detail", args=[program.slug]),
    }
    outbox_add(
        key=f"accepted:{project.pk}",
        recipients=sorted(recipients),
        subject=f"[Seasons] Accepted: {project.title} with {org.name} in {program.name}",
        body=render_to_string("emails/accepted.txt", context),
        now=now,
    )
