"""Business rules of programs, participations and roles: the only code that changes their state."""

import hashlib
import secrets
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record, audit_record_many
from programs.models import (
    Invitation,
    InvitationStatus,
    Membership,
    Participation,
    ParticipationStatus,
    Program,
    ProgramManager,
    Role,
)
from programs.outbox import outbox_add, outbox_withdraw

INVITER_NOT_ADMIN = "Only an org admin of this organization or a program manager can invite."
INVITE_PARTICIPATION_CLOSED = "This organization's application was {status}: nobody can join it."
INVITE_ALREADY_MEMBER = "{email} is already a {role} of this organization."
INVITATION_NOT_PENDING = "This invitation was already {status}."
INVITATION_EXPIRED = "This invitation expired at {expires} UTC. Ask the org admin for a new one."
INVITATION_WRONG_EMAIL = (
    "This invitation was sent to {email}. Sign in with that address (or add and verify it in "
    "your account), or ask the org admin to invite the address you use."
)

MANAGER_APPOINTER_NOT_MANAGER = "Only a manager of this program can appoint or remove its managers."
MEMBERSHIP_REMOVER_NOT_ADMIN = (
    "Only an org admin of this organization or a program manager can take a role away."
)

MANAGERS_GROUP = "Program managers"
# Django admin permissions a program manager needs; granted through one group.
MANAGER_APP_LABELS = ("programs", "applications", "docs_season", "evaluations", "payments")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_org_admin(*, user, participation: Participation) -> bool:
    return participation.memberships.filter(user=user, role=Role.ORG_ADMIN).exists()


def is_program_manager(*, user, program: Program) -> bool:
    """Whether the user runs the program (superusers run them all)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or program.managers.filter(user=user).exists()


def manager_grant(*, program: Program, user, by=None) -> ProgramManager:
    """Make the user a manager of the program, with access to the admin for its data.

    `by` (None for the system: set-up, the demo) must run the program itself, so nobody
    appoints anyone, themselves included, to a program they do not run.
    """
    if by is not None and not is_program_manager(user=by, program=program):
        raise PermissionDenied(MANAGER_APPOINTER_NOT_MANAGER)
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
        perms = Permission.objects.filter(content_type__app_label__in=MANAGER_APP_LABELS)
        group.permissions.add(*perms)
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        manager, created = ProgramManager.objects.get_or_create(program=program, user=user)
        if created:
            audit_record(
                actor=by,
                action="manager.grant",
                obj=manager,
                before={},
                after={"user": user.pk},
                at=timezone.now(),
            )
    return manager


def manager_revoke(*, program: Program, user, by=None) -> None:
    """Take the program from its manager; with the last program they run go their staff status
    and their admin permissions (superusers keep theirs)."""
    if by is not None and not is_program_manager(user=by, program=program):
        raise PermissionDenied(MANAGER_APPOINTER_NOT_MANAGER)
    with transaction.atomic():
        manager = ProgramManager.objects.filter(program=program, user=user).first()
        if manager is None:
            return
        audit_record(
            actor=by,
            action="manager.revoke",
            obj=manager,
            before={"user": user.pk},
            after={},
            at=timezone.now(),
        )
        manager.delete()
        if ProgramManager.objects.filter(user=user).exists():
            return
        # Staff status and the group come only from running a program (see manager_grant).
        user.groups.remove(*Group.objects.filter(name=MANAGERS_GROUP))
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


def membership_add(*, participation: Participation, user, role: str, by=None) -> Membership:
    """Give the user a role in the participation (idempotent)."""
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            participation=participation, user=user, role=role
        )
        if created:
            audit_record(
                actor=by,
                action="membership.add",
                obj=membership,
                before={},
                after={"user": user.pk, "role": role, "participation": participation.pk},
                program=participation.program_id,
                at=timezone.now(),
            )
    return membership


def membership_remove(*, membership: Membership, by=None) -> None:
    """Take a role in a participation from its holder (org admins and managers)."""
    participation = membership.participation
    if by is not None and not (
        is_org_admin(user=by, participation=participation)
        or is_program_manager(user=by, program=participation.program)
    ):
        raise PermissionDenied(MEMBERSHIP_REMOVER_NOT_ADMIN)
    with transaction.atomic():
        audit_record(
            actor=by,
            action="membership.remove",
            obj=membership,
            before={
                "user": membership.user_id,
                "role": membership.role,
                "participation": participation.pk,
            },
            after={},
            program=participation.program_id,
            at=timezone.now(),
        )
        membership.delete()


def invitation_create(
    *, participation: Participation, email: str, role: str, by, now: datetime
) -> tuple[Invitation, str]:
    """Invite an e-mail address to join as mentor or org admin; returns it with its secret token.

    Inviting an address that already has a pending invitation replaces that one, so the newest
    e-mail holds the only working link.
    """
    if not (
        is_org_admin(user=by, participation=participation)
        or is_program_manager(user=by, program=participation.program)
    ):
        raise PermissionDenied(INVITER_NOT_ADMIN)
    if participation.status in {ParticipationStatus.REJECTED, ParticipationStatus.WITHDRAWN}:
        raise ValidationError(
            INVITE_PARTICIPATION_CLOSED.format(status=participation.get_status_display().lower())
        )
    email = email.strip().lower()
    if participation.memberships.filter(user__email__iexact=email, role=role).exists():
        raise ValidationError(
            {"email": INVITE_ALREADY_MEMBER.format(email=email, role=Role(role).label.lower())}
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        participation=participation,
        email=email,
        role=role,
        token_digest=token_digest(token),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    with transaction.atomic():
        replaced = participation.invitations.filter(
            email__iexact=email, role=role, status=InvitationStatus.PENDING
        )
        replaced_ids = list(replaced.values_list("pk", flat=True))
        replaced.filter(pk__in=replaced_ids).update(
            status=InvitationStatus.REVOKED, responded_at=now
        )
        outbox_withdraw(keys=[f"invitation:{pk}" for pk in replaced_ids])
        audit_record_many(
            actor=by,
            action="invitation.replace",
            model=Invitation,
            object_ids=replaced_ids,
            before={"status": InvitationStatus.PENDING},
            after={"status": InvitationStatus.REVOKED},
            program=participation.program_id,
            at=now,
        )
        invitation.full_clean()
        invitation.save()
        audit_record(
            actor=by,
            action="invitation.create",
            obj=invitation,
            before={},
            after={"role": role, "status": invitation.status, "participation": participation.pk},
            program=participation.program_id,
            at=now,
        )
        _invitation_mail(invitation, token, now)
    return invitation, token


def _invitation_mail(invitation: Invitation, token: str, now: datetime) -> None:
    """The invitation's mail, stored in the outbox: the raw token exists only in it."""
    context = {
        "invitation": invitation,
        "program": invitation.participation.program,
        "organization": invitation.participation.organization,
        "url": settings.SITE_URL + reverse("invitation", args=[token]),
    }
    outbox_add(
        key=f"invitation:{invitation.pk}",
        recipients=[invitation.email],
        subject=render_to_string("emails/invitation_subject.txt", context).strip(),
        body=render_to_string("emails/invitation.txt", context),
        now=now,
        secret=True,
    )


def invitation_get_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("participation__program", "participation__organization")
        .filter(token_digest=token_digest(token))
        .first()
    )


def _check_usable(invitation: Invitation, now: datetime) -> None:
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(
            INVITATION_NOT_PENDING.format(status=invitation.get_status_display().lower())
        )
    if now > invitation.expires_at:
        raise ValidationError(
            INVITATION_EXPIRED.format(expires=invitation.expires_at.strftime("%Y-%m-%d %H:%M"))
        )


def invitation_accept(*, invitation: Invitation, user, now: datetime) -> Membership:
    """Accept an invitation as the signed-in user, whose verified addresses must include it."""
    _check_usable(invitation, now)
    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise ValidationError(INVITATION_WRONG_EMAIL.format(email=invitation.email))
    with transaction.atomic():
        # Claim the invitation atomically: of two concurrent accepts only one changes the row.
        claimed = Invitation.objects.filter(
            pk=invitation.pk, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.ACCEPTED, accepted_by=user, responded_at=now)
        if not claimed:
            invitation.refresh_from_db()
            raise ValidationError(
                INVITATION_NOT_PENDING.format(status=invitation.get_status_display().lower())
            )
        audit_record(
            actor=user,
            action="invitation.accept",
            obj=invitation,
            before={"status": InvitationStatus.PENDING},
            after={"status": InvitationStatus.ACCEPTED, "accepted_by": user.pk},
            program=invitation.participation.program_id,
            at=now,
        )
        membership = membership_add(
            participation=invitation.participation, user=user, role=invitation.role, by=user
        )
    invitation.refresh_from_db()
    return membership


def invitation_decline(*, invitation: Invitation, now: datetime) -> None:
    """Decline an invitation; anyone holding the link may decline it."""
    _check_usable(invitation, now)
    with transaction.atomic():
        if Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.DECLINED, responded_at=now
        ):
            # Whoever holds the link may decline: no account to name.
            audit_record(
                actor=None,
                action="invitation.decline",
                obj=invitation,
                before={"status": InvitationStatus.PENDING},
                after={"status": InvitationStatus.DECLINED},
                program=invitation.participation.program_id,
                at=now,
            )


def invitation_revoke(*, invitation: Invitation, by, now: datetime) -> None:
    """Withdraw a pending invitation (org admins and managers)."""
    participation = invitation.participation
    if not (
        is_org_admin(user=by, participation=participation)
        or is_program_manager(user=by, program=participation.program)
    ):
        raise PermissionDenied(INVITER_NOT_ADMIN)
    with transaction.atomic():
        if Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.REVOKED, responded_at=now
        ):
            audit_record(
                actor=by,
                action="invitation.revoke",
                obj=invitation,
                before={"status": InvitationStatus.PENDING},
                after={"status": InvitationStatus.REVOKED},
                program=participation.program_id,
                at=now,
            )
            outbox_withdraw(keys=[f"invitation:{invitation.pk}"])


def invitations_expire(*, now: datetime) -> int:
    """Mark pending invitations past their expiry as expired; returns how many changed.

    Acceptance checks expiry itself at request time; this job only tidies the state.
    """
    due = Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lt=now)
    changed = 0
    with transaction.atomic():
        rows = list(
            due.select_for_update(of=("self",)).values_list("pk", "participation__program_id")
        )
        if rows:
            changed = due.filter(pk__in=[pk for pk, _ in rows]).update(
                status=InvitationStatus.EXPIRED
            )
        by_program: dict[int, list[int]] = {}
        for pk, program_id in rows:
            by_program.setdefault(program_id, []).append(pk)
        for program_id, ids in by_program.items():
            audit_record_many(
                actor=None,
                action="invitation.expire",
                model=Invitation,
                object_ids=ids,
                before={"status": InvitationStatus.PENDING},
                after={"status": InvitationStatus.EXPIRED},
                program=program_id,
                at=now,
            )
    return changed


def program_phases_advance(*, now: datetime) -> int:
    """Set each program's `phase` to the kind of its latest milestone begun by `now` (blank
    before the first); returns how many programs changed (one UPDATE, idempotent)."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from programs.models import Milestone

    latest = (
        Milestone.objects.filter(program=OuterRef("pk"))
        .annotate(begins=Coalesce("starts_at", "ends_at"))
        .filter(begins__lte=now)
        .order_by("-begins", "-ends_at", "-sequence")
        .values("kind")[:1]
    )
    phase = Coalesce(Subquery(latest), Value(""))
    return Program.objects.exclude(phase=phase).update(phase=phase)
