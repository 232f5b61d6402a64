"""A person's own data: what they may download about themselves, and deleting their account.

It touches every app, so it lives at the top layer. Deleting keeps what accounting and the
program statistics need, without the person:

* payouts stay with amount, currency, reference, status, milestone and OpenCollective ids; the
  payee becomes empty with the label "deleted user #<id>", the OpenCollective payee slug and a
  description that could name the person are cleared; their status history stays whole (a
  change the person made keeps its row, without its author);
* rows that other people's records and the statistics count (accepted projects, submitted
  proposals, evaluations, hires) move to a placeholder account of their own: inactive, no
  password, no name, an address under the reserved `.invalid` domain, and at most a contributor
  profile holding the country of residence the statistics break applicants down by. Their free
  text about the person goes: proposal abstracts, bodies, attachments and receipts, the org's
  comments on them, and the text answers of evaluations of the person's projects (the pass/fail
  grades and ratings stay, since pass rates count them);
* everything else is deleted: the account, its e-mail addresses, API tokens and sessions,
  profiles, registrations, drafts and withdrawn proposals, comments and scores written,
  statements of interest, memberships, invitations to the person's addresses, reminder logs
  and stored mail to them.

The audit log records each payout anonymised and each role given up; like every entry of the
person's, these name them only as "(deleted account)".

A program manager, or an organization's only org admin, is refused until they hand the role
over: the program or the organization would otherwise be left without anyone to run it.
"""

from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Q, Value, When
from django.db.models.functions import Lower

from applications.models import (
    Comment,
    ContributorProfile,
    Project,
    Proposal,
    Receipt,
)
from applications.services.proposals import attachments_delete_on_commit
from audit.services import audit_record, audit_record_many
from docs_season.models import Hire
from evaluations.models import Evaluation, QuestionType, ReminderLog
from payments.models import Milestone, Payout
from portal.privacy.export import user_addresses
from programs.models import Invitation, Membership, ParticipationStatus, ProgramManager, Role
from programs.outbox import outbox_forget
from reports.statistics import SUBMITTED_STATES

REFUSED_MANAGER = (
    "You manage {programs}. Ask another program manager to take over and remove you as a "
    "manager before you delete your account."
)
REFUSED_SOLE_ADMIN = (
    "You are the only org admin of {participations}. Make another member an org admin "
    "before you delete your account."
)
REFUSED_STAFF = "Site administrators cannot delete their own account; ask another administrator."
CREDENTIALS_WRONG = "That is not your password."
# Placeholder accounts live under the reserved .invalid domain: no mail can ever reach them.
PLACEHOLDER_EMAIL = "deleted-{pk}@deleted.invalid"
DELETED_LABEL = "deleted user #{pk}"
# Kept answers of an evaluation of a deleted person's project: grades and ratings, no text.
KEPT_ANSWER_TYPES = {QuestionType.PASS_FAIL, QuestionType.RATING, QuestionType.STATUS}


def account_delete_refusals(*, user) -> list[str]:
    """Why the account may not be deleted yet (empty when it may)."""
    refusals = []
    if user.is_superuser:
        refusals.append(REFUSED_STAFF)
    managed = list(ProgramManager.objects.filter(user=user).values_list("program__name", flat=True))
    if managed:
        refusals.append(REFUSED_MANAGER.format(programs=", ".join(sorted(managed))))
    sole = (
        Membership.objects.filter(
            user=user,
            role=Role.ORG_ADMIN,
            participation__status__in=[ParticipationStatus.APPLIED, ParticipationStatus.ACCEPTED],
        )
        .annotate(
            admins=Count(
                "participation__memberships",
                filter=Q(participation__memberships__role=Role.ORG_ADMIN),
            )
        )
        .filter(admins=1)
        .select_related("participation__organization", "participation__program")
    )
    names = [f"{m.participation.organization} in {m.participation.program}" for m in sole]
    if names:
        refusals.append(REFUSED_SOLE_ADMIN.format(participations=", ".join(sorted(names))))
    return refusals


def _placeholder(user):
    """The account that keeps the rows others and the statistics need, without the person."""
    placeholder = get_user_model()(
        email=PLACEHOLDER_EMAIL.format(pk=user.pk),
        name=DELETED_LABEL.format(pk=user.pk).capitalize(),
        is_active=False,
    )
    placeholder.set_unusable_password()
    placeholder.save()
    return placeholder


def _scrub_answers(evaluation: Evaluation) -> dict:
    kept = {q["key"] for q in evaluation.form.questions if q["type"] in KEPT_ANSWER_TYPES}
    return {k: v for k, v in evaluation.answers.items() if k in kept}


def sessions_delete(*, user_pk: int) -> int:
    """Delete every stored session signed in as the user: sessions have no user column, so each
    one is decoded (deleting an account is rare; sessions are as many as recent sign-ins)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [
        session.session_key
        for session in Session.objects.only("session_key", "session_data").iterator(chunk_size=2000)
        if str(store().decode(session.session_data).get(SESSION_KEY)) == str(user_pk)
    ]
    for key in keys:
        # Through the configured store, so that a cached copy goes as well as the row.
        store(session_key=key).delete()
    return len(keys)


def _audit_by_program(*, actor, action, model, rows, before, after, now) -> None:
    """One audit entry per row, written in one insert per program."""
    by_program: dict[int, list[int]] = {}
    for pk, program_id in rows:
        by_program.setdefault(program_id, []).append(pk)
    for program_id, pks in by_program.items():
        audit_record_many(
            actor=actor,
            action=action,
            model=model,
            object_ids=pks,
            before=before,
            after=after,
            program=program_id,
            at=now,
        )


def account_delete(*, user, password: str, now: datetime) -> None:
    """Delete the account after checking its password; keep payouts and counted rows without
    the person (see the module's docstring)."""
    if not user.check_password(password):
        raise ValidationError({"password": CREDENTIALS_WRONG})
    refusals = account_delete_refusals(user=user)
    if refusals:
        raise ValidationError(refusals)
    pk = user.pk
    addresses = user_addresses(user)
    # Rows going with the account do not take their files along: every attachment of theirs goes.
    attachments = list(
        Proposal.objects.filter(contributor=user)
        .exclude(attachment="")
        .values_list("attachment", flat=True)
    )
    with transaction.atomic():
        label = DELETED_LABEL.format(pk=pk)
        _audit_by_program(
            actor=user,
            action="payout.anonymise",
            model=Payout,
            rows=Payout.objects.filter(payee=user).values_list("pk", "program_id"),
            before={"payee": pk},
            after={"payee": None, "payee_label": label},
            now=now,
        )
        for membership in Membership.objects.filter(user=user).select_related("participation"):
            audit_record(
                actor=user,
                action="membership.remove",
                obj=membership,
                before={
                    "user": pk,
                    "role": membership.role,
                    "participation": membership.participation_id,
                },
                after={},
                program=membership.participation.program_id,
                at=now,
            )
        Payout.objects.filter(payee=user).update(
            payee=None,
            payee_label=label,
            payee_slug="",
            # A writer payment's default description names the writer.
            description=Case(
                *(When(milestone=m, then=Value(m.label)) for m in Milestone),
                default=Value(""),
            ),
        )
        kept_proposals = Proposal.objects.filter(contributor=user).filter(
            Q(status__in=SUBMITTED_STATES) | Q(project__isnull=False)
        )
        counted = (
            kept_proposals.exists()
            or Project.objects.filter(contributor=user).exists()
            or Hire.objects.filter(writer=user).exists()
            or Evaluation.objects.filter(filed_by=user).exists()
        )
        if counted:
            placeholder = _placeholder(user)
            profile = ContributorProfile.objects.filter(user=user).first()
            if profile is not None and kept_proposals.exists():
                ContributorProfile.objects.create(
                    user=placeholder,
                    country_of_residence=profile.country_of_residence,
                    attests_minimum_age=True,
                )
            Receipt.objects.filter(proposal__in=kept_proposals).delete()
            Comment.objects.filter(proposal__in=kept_proposals).delete()
            kept_ids = list(kept_proposals.values_list("pk", flat=True))
            Proposal.objects.filter(pk__in=kept_ids).update(
                contributor=placeholder,
                abstract="",
                body="",
                attachment="",
                attachment_sha256="",
                content_digest="",
                preference=None,
            )
            about_them = Evaluation.objects.filter(
                Q(period__project__contributor=user) | Q(filed_by=user)
            ).select_related("form", "period__project")
            for evaluation in about_them:
                changes = {}
                if evaluation.filed_by_id == pk:
                    changes["filed_by"] = placeholder
                if evaluation.period.project and evaluation.period.project.contributor_id == pk:
                    changes.update(answers=_scrub_answers(evaluation), work_url="")
                # Evaluations are immutable to the portal's code paths; this is the one
                # sanctioned rewrite, so it goes around save().
                Evaluation.objects.filter(pk=evaluation.pk).update(**changes)
            Project.objects.filter(contributor=user).update(contributor=placeholder)
            Hire.objects.filter(writer=user).update(writer=placeholder)
        # Whatever else the person wrote or was sent goes with the account (CASCADE), or keeps
        # its row without them (SET_NULL: status history, invitations they sent, surveys).
        Invitation.objects.annotate(address=Lower("email")).filter(address__in=addresses).delete()
        ReminderLog.objects.annotate(address=Lower("email")).filter(address__in=addresses).delete()
        outbox_forget(addresses=addresses)
        # The audit log unlinks its entries from the account, these last ones included, and
        # names it "(deleted account)" (audit/apps.py, pre_delete).
        user.delete()
        transaction.on_commit(lambda: sessions_delete(user_pk=pk))
        # After the commit: a rolled-back deletion must still find its files.
        attachments_delete_on_commit(attachments)
