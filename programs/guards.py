"""Role guards: the checks every service makes before it changes anything, each with its refusal
worded once. A refusal is a PermissionDenied (403 on pages, 403 in the API)."""

from django.core.exceptions import PermissionDenied

from programs.models import Membership, Participation, Program, Role
from programs.services import is_program_manager

NOT_ORG_ADMIN = "Only org admins of this organization can do this."
NOT_ORG_MEMBER = "Only mentors and org admins of this organization can do this."
NOT_MANAGER = "Only a manager of this program can do this."


def org_roles(*, user, participation: Participation) -> set[str]:
    """The user's roles in the organization's team for this program (empty for outsiders)."""
    return set(
        Membership.objects.filter(user=user, participation=participation).values_list(
            "role", flat=True
        )
    )


def require_org_member(participation: Participation, by, message: str = NOT_ORG_MEMBER) -> set:
    """The roles of `by` in the team; refused unless they are a mentor or an org admin."""
    roles = org_roles(user=by, participation=participation)
    if not roles:
        raise PermissionDenied(message)
    return roles


def require_org_admin(participation: Participation, by, message: str = NOT_ORG_ADMIN) -> None:
    """Refused unless `by` is an org admin of the organization in this program."""
    if not participation.memberships.filter(user=by, role=Role.ORG_ADMIN).exists():
        raise PermissionDenied(message)


def require_manager(program: Program, by, message: str = NOT_MANAGER) -> None:
    """Refused unless `by` manages the program (superusers manage them all)."""
    if not is_program_manager(user=by, program=program):
        raise PermissionDenied(message)
