"""Program managers are appointed and removed through the services, which keep their staff status
and admin permissions in step with the programs they run; programs_managed is what the admin
scopes them by."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import User
from programs.models import ProgramManager
from programs.selectors import programs_managed
from programs.services import (
    MANAGER_APPOINTER_NOT_MANAGER,
    MANAGERS_GROUP,
    manager_grant,
    manager_revoke,
)
from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_PERMISSION = "applications.view_proposal"


def fresh(user):
    """The user as the next request loads them (permissions are cached on the instance)."""
    return User.objects.get(pk=user.pk)


def test_the_last_program_taken_takes_staff_status_and_admin_permissions(cast):
    manager = fresh(cast.manager)
    assert manager.is_staff and manager.has_perm(ADMIN_PERMISSION)
    manager_revoke(program=cast.program, user=manager)
    manager = fresh(manager)
    # They still run the docs program.
    assert manager.is_staff and manager.has_perm(ADMIN_PERMISSION)
    manager_revoke(program=cast.docs_program, user=manager)
    manager = fresh(manager)
    assert not manager.is_staff
    assert not manager.groups.filter(name=MANAGERS_GROUP).exists()
    assert not manager.has_perm(ADMIN_PERMISSION)
    assert list(programs_managed(viewer=manager)) == []


def test_a_superuser_keeps_staff_status_without_a_program(cast):
    boss = UserFactory(is_superuser=True, is_staff=True)
    manager_grant(program=cast.program, user=boss)
    manager_revoke(program=cast.program, user=boss)
    assert fresh(boss).is_staff


def test_nobody_appoints_or_removes_managers_of_a_program_they_do_not_run(cast):
    other = ProgramFactory()
    manager_grant(program=other, user=cast.outsider)
    for change in (manager_grant, manager_revoke):
        with pytest.raises(PermissionDenied, match=MANAGER_APPOINTER_NOT_MANAGER):
            change(program=other, user=cast.manager, by=cast.manager)
    with pytest.raises(PermissionDenied):
        manager_revoke(program=other, user=cast.outsider, by=cast.manager)
    assert list(ProgramManager.objects.filter(program=other).values_list("user", flat=True)) == [
        cast.outsider.pk
    ]
    # A manager may appoint a co-manager to a program they run.
    manager_grant(program=cast.program, user=cast.org_admin, by=cast.manager)
    assert fresh(cast.org_admin).is_staff


def test_programs_managed_are_the_viewers_own(cast):
    ProgramFactory()
    assert set(programs_managed(viewer=cast.manager)) == {cast.program, cast.docs_program}
    assert list(programs_managed(viewer=cast.org_admin)) == []
    assert list(programs_managed(viewer=AnonymousUser())) == []
    boss = UserFactory(is_superuser=True)
    assert programs_managed(viewer=boss).count() == 3
