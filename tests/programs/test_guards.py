"""Role guards (programs/guards.py): who passes each one, and the refusal everyone else gets."""

import pytest
from django.core.exceptions import PermissionDenied

from programs.guards import (
    NOT_MANAGER,
    NOT_ORG_ADMIN,
    NOT_ORG_MEMBER,
    org_roles,
    require_manager,
    require_org_admin,
    require_org_member,
)
from programs.models import Role

pytestmark = pytest.mark.django_db

EVERYONE = ["manager", "org_admin", "mentor", "other_org_admin", "contributor", "outsider"]


def passes(guard, *args):
    try:
        guard(*args)
    except PermissionDenied as refusal:
        return str(refusal)
    return True


@pytest.mark.parametrize("role", EVERYONE)
def test_only_org_admins_of_the_organization_pass_require_org_admin(cast, role):
    expected = True if role == "org_admin" else NOT_ORG_ADMIN
    assert passes(require_org_admin, cast.participation, getattr(cast, role)) == expected


@pytest.mark.parametrize("role", EVERYONE)
def test_mentors_and_org_admins_pass_require_org_member(cast, role):
    expected = True if role in ("org_admin", "mentor") else NOT_ORG_MEMBER
    assert passes(require_org_member, cast.participation, getattr(cast, role)) == expected


@pytest.mark.parametrize("role", EVERYONE)
def test_only_the_programs_managers_pass_require_manager(cast, role):
    expected = True if role == "manager" else NOT_MANAGER
    assert passes(require_manager, cast.program, getattr(cast, role)) == expected


def test_a_guard_says_the_callers_own_refusal(cast):
    refusal = "Only a manager of this program can allocate slots."
    assert passes(require_manager, cast.program, cast.mentor, refusal) == refusal
    assert passes(require_org_admin, cast.participation, cast.mentor, refusal) == refusal


def test_org_roles_are_the_users_roles_in_that_team_only(cast):
    assert org_roles(user=cast.org_admin, participation=cast.participation) == {Role.ORG_ADMIN}
    assert org_roles(user=cast.mentor, participation=cast.participation) == {Role.MENTOR}
    assert org_roles(user=cast.org_admin, participation=cast.other_participation) == set()
