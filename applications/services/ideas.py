"""Project ideas an organization's team publishes: who may write them, and the reads around them."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from applications.models import Idea
from programs.guards import require_org_member
from programs.models import Membership, Participation

NOT_TEAM_MEMBER = "Only org admins and mentors of this organization can publish its ideas."
IDEA_SIZE_NOT_OFFERED = "Choose one of the sizes this program offers: {sizes} hours."
IDEA_MENTOR_NOT_IN_ORG = "{user} is not a mentor or org admin of this organization."


def _fill(idea: Idea, *, title: str, description: str, size: int, skills: str, mentors) -> None:
    """Set the idea's fields, check them against the program's rules, and save with mentors."""
    program = idea.participation.program
    idea.title = title.strip()
    idea.description = description
    idea.size = size
    # Normalised so that filtering by one skill matches however it was typed.
    idea.skills = ", ".join(s.strip() for s in skills.split(",") if s.strip())
    errors = {}
    if size not in program.sizes_offered:
        sizes = ", ".join(map(str, program.sizes_offered))
        errors["size"] = [IDEA_SIZE_NOT_OFFERED.format(sizes=sizes)]
    mentors = list(mentors)
    team = set(
        Membership.objects.filter(participation=idea.participation).values_list(
            "user_id", flat=True
        )
    )
    strangers = [m for m in mentors if m.pk not in team]
    if strangers:
        errors["mentors"] = [IDEA_MENTOR_NOT_IN_ORG.format(user=m) for m in strangers]
    try:
        idea.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        idea.save()
        idea.mentors.set(mentors)


def idea_create(
    *,
    participation: Participation,
    by,
    title: str,
    description: str,
    size: int,
    skills: str = "",
    mentors=(),
) -> Idea:
    """Publish a new idea of the organization; only its org admins and mentors may."""
    require_org_member(participation, by, NOT_TEAM_MEMBER)
    idea = Idea(participation=participation, created_by=by)
    _fill(idea, title=title, description=description, size=size, skills=skills, mentors=mentors)
    return idea


def idea_update(
    *, idea: Idea, by, title: str, description: str, size: int, skills: str = "", mentors=()
) -> Idea:
    """Change an idea; any org admin or mentor of its organization may."""
    require_org_member(idea.participation, by, NOT_TEAM_MEMBER)
    _fill(idea, title=title, description=description, size=size, skills=skills, mentors=mentors)
    return idea


def idea_for_editor(*, pk: int, user) -> Idea:
    """An idea its organization's team may edit; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    idea = (
        Idea.objects.select_related("participation__program", "participation__organization")
        .filter(pk=pk, participation__memberships__user=user)
        .distinct()
        .first()
    )
    if idea is None:
        raise Http404("No such idea, or you are not on its organization's team.")
    return idea


def team_members(*, participation: Participation):
    """The people who may mentor an idea of the organization (its mentors and org admins)."""
    return (
        get_user_model()
        .objects.filter(memberships__participation=participation)
        .distinct()
        .order_by("name", "email")
    )
