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
  statements of interest, memberships, invitations to the person's addresses and reminder logs.

The audit log records each payout anonymised and each role given up; like every entry of the
person's, these name them only as "(deleted account)".

A program manager, or an organization's only org admin, is refused until they hand the role
over: the program or the organization would otherwise be left without anyone to run it.
"""

from datetime import datetime
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Q, Value, When
from django.db.models.functions import Lower

from accounts.models import ApiToken
from applications.models import (
    Comment,
    ContributorProfile,
    Project,
    Proposal,
    ProposalMentor,
    Receipt,
    Registration,
    Score,
)
from audit.services import audit_record, audit_record_many
from docs_season.models import Hire, StatementOfInterest, SurveyResponse, WriterProfile
from evaluations.models import Evaluation, QuestionType, ReminderLog, Side
from payments.models import Milestone, Payout
from programs.models import Invitation, Membership, ParticipationStatus, ProgramManager, Role
from reports.statistics import SUBMITTED_STATES

EXPORT_FORMAT = "seasons-user-data/1"
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


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _where(participation) -> dict:
    return {
        "program": participation.program.name,
        "organization": participation.organization.name,
    }


def _addresses(user) -> set[str]:
    """Every address the person signed up or verified with, lower-cased."""
    emails = {user.email.lower()}
    emails.update(
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    return emails


# Download my data ----------------------------------------------------------------------------


def _evaluation(evaluation: Evaluation, answers: dict) -> dict:
    period = evaluation.period
    return {
        "id": evaluation.pk,
        "project_id": period.project_id,
        **_where(period.participation),
        "kind": period.kind,
        "side": period.side,
        "sequence": period.sequence,
        "submitted_at": _when(evaluation.submitted_at),
        "answers": answers,
        "passed": evaluation.passed,
        "status": evaluation.status,
        "work_url": evaluation.work_url,
    }


def _received_answers(evaluation: Evaluation, *, user) -> dict:
    """What the person may read of an evaluation about them or their mentoring, by the rules of
    evaluations.services.filing.visible_answers: a contributor reads the mentor's grade only; a
    mentor reads everything but the private answers."""
    if evaluation.period.project.contributor_id == user.pk:
        return {"grade": evaluation.answers.get("grade")}
    private = {q["key"] for q in evaluation.form.questions if q.get("private")}
    return {k: v for k, v in evaluation.answers.items() if k not in private}


def user_data_export(*, user) -> dict:
    """Everything the portal holds about the user that the user may see, as plain JSON values.

    Not what others wrote about them in private (org comments, scores, ranks, private evaluation
    answers), nor secrets (password and token digests). A fixed number of queries, whatever the
    number of rows.
    """
    at_program = ("participation__program", "participation__organization")
    profile = ContributorProfile.objects.filter(user=user).first()
    writer = WriterProfile.objects.filter(user=user).first()
    proposals = (
        Proposal.objects.filter(contributor=user)
        .select_related("program", "participation__organization", "idea")
        .prefetch_related("receipts")
        .order_by("created_at", "pk")
    )
    evaluation_rows = Evaluation.objects.select_related(
        "period__project", "form", *(f"period__{path}" for path in at_program)
    ).order_by("submitted_at", "pk")
    filed = evaluation_rows.filter(filed_by=user)
    received = evaluation_rows.exclude(filed_by=user).filter(
        Q(period__project__contributor=user, period__side=Side.MENTOR)
        | Q(period__project__mentors=user, period__side=Side.CONTRIBUTOR)
    )
    addresses = _addresses(user)
    payouts = (
        Payout.objects.filter(payee=user)
        .select_related("program", "participation__organization")
        .prefetch_related("history")
        .order_by("created_at", "pk")
    )
    projects = (
        Project.objects.filter(Q(contributor=user) | Q(mentors=user))
        .distinct()
        .select_related(*at_program)
        .order_by("coding_starts_at", "pk")
    )
    return {
        "format": EXPORT_FORMAT,
        "account": {
            "id": user.pk,
            "email": user.email,
            "name": user.name,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "wants_optional_email": user.wants_optional_email,
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "api_tokens": [
            # Never the digest: with it, a leaked export would help guess nothing, but it is
            # a secret of the server's, not data about the person.
            {
                "name": t.name,
                "scope": t.scope,
                "key_prefix": t.key_prefix,
                "created_at": _when(t.created_at),
                "last_used_at": _when(t.last_used_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "contributor_profile": profile
        and {
            "country_of_residence": profile.country_of_residence,
            "timezone": profile.timezone,
            "date_of_birth": profile.date_of_birth and profile.date_of_birth.isoformat(),
            "attests_minimum_age": profile.attests_minimum_age,
            "is_student": profile.is_student,
            "is_beginner": profile.is_beginner,
            "opencollective_slug": profile.opencollective_slug,
            "created_at": _when(profile.created_at),
            "updated_at": _when(profile.updated_at),
        },
        "writer_profile": writer
        and {
            "display_name": writer.display_name,
            "headline": writer.headline,
            "bio": writer.bio,
            "country_of_residence": writer.country_of_residence,
            "timezone": writer.timezone,
            "skills": writer.skills,
            "portfolio_links": writer.portfolio_links,
            "hours_per_week_min": writer.hours_per_week_min,
            "hours_per_week_max": writer.hours_per_week_max,
            "is_public": writer.is_public,
            "opencollective_slug": writer.opencollective_slug,
            "created_at": _when(writer.created_at),
            "updated_at": _when(writer.updated_at),
        },
        "registrations": [
            {"program": r.program.name, "registered_at": _when(r.registered_at)}
            for r in Registration.objects.filter(user=user).select_related("program")
        ],
        "proposals": [
            {
                "id": p.pk,
                "program": p.program.name,
                "organization": p.participation.organization.name,
                "idea": p.idea.title if p.idea else None,
                "title": p.title,
                "abstract": p.abstract,
                "body": p.body,
                "size": p.size,
                "length_weeks": p.length_weeks,
                "attachment_sha256": p.attachment_sha256 or None,
                "preference": p.preference,
                "status": p.status,
                "submitted_at": _when(p.submitted_at),
                "created_at": _when(p.created_at),
                "updated_at": _when(p.updated_at),
                "receipts": [
                    {
                        "number": r.number,
                        "submitted_at": _when(r.submitted_at),
                        "digest": r.digest,
                        "content": r.content,
                    }
                    for r in p.receipts.all()
                ],
            }
            for p in proposals
        ],
        "comments_written": [
            {
                "proposal_id": c.proposal_id,
                "proposal": c.proposal.title,
                "body": c.body,
                "created_at": _when(c.created_at),
            }
            for c in Comment.objects.filter(author=user).select_related("proposal")
        ],
        "scores_given": [
            {
                "proposal_id": s.proposal_id,
                "proposal": s.proposal.title,
                "value": s.value,
                "updated_at": _when(s.updated_at),
            }
            for s in Score.objects.filter(reviewer=user).select_related("proposal")
        ],
        "proposals_mentored": [
            {
                "proposal_id": m.proposal_id,
                "proposal": m.proposal.title,
                "assigned_at": _when(m.assigned_at),
            }
            for m in ProposalMentor.objects.filter(mentor=user).select_related("proposal")
        ],
        "projects": [
            {
                "id": p.pk,
                "role": "contributor" if p.contributor_id == user.pk else "mentor",
                **_where(p.participation),
                "title": p.title,
                "size": p.size,
                "length_weeks": p.length_weeks,
                "coding_starts_at": _when(p.coding_starts_at),
                "coding_ends_at": _when(p.coding_ends_at),
                "status": p.status,
                "ended_at": _when(p.ended_at),
                "end_reason": p.end_reason,
            }
            for p in projects
        ],
        "evaluations_filed": [_evaluation(e, dict(e.answers)) for e in filed],
        "evaluations_received": [
            _evaluation(e, _received_answers(e, user=user)) for e in received.distinct()
        ],
        "statements_of_interest": [
            {**_where(s.participation), "message": s.message, "sent_at": _when(s.sent_at)}
            for s in StatementOfInterest.objects.filter(writer=user).select_related(*at_program)
        ],
        "hires": [
            {
                **_where(h.participation),
                "agreed_hours": h.agreed_hours,
                "hours_per_week": h.hours_per_week,
                "compensation": str(h.compensation),
                "currency": h.currency,
                "hired_at": _when(h.hired_at),
            }
            for h in Hire.objects.filter(writer=user).select_related(*at_program)
        ],
        "memberships": [
            {**_where(m.participation), "role": m.role, "since": _when(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related(*at_program)
        ],
        "programs_managed": [
            m.program.name
            for m in ProgramManager.objects.filter(user=user).select_related("program")
        ],
        "invitations": [
            {
                **_where(i.participation),
                "email": i.email,
                "role": i.role,
                "status": i.status,
                "created_at": _when(i.created_at),
                "expires_at": _when(i.expires_at),
                "responded_at": _when(i.responded_at),
            }
            for i in Invitation.objects.annotate(address=Lower("email"))
            .filter(address__in=addresses)
            .select_related(*at_program)
        ],
        "survey_responses_submitted": [
            {
                **_where(r.participation),
                "survey": r.survey.title,
                "answers": r.answers,
                "submitted_at": _when(r.submitted_at),
            }
            for r in SurveyResponse.objects.filter(submitted_by=user).select_related(
                "survey", *at_program
            )
        ],
        "payouts": [
            {
                "reference": p.reference,
                "program": p.program.name,
                "organization": p.participation.organization.name,
                "project_id": p.project_id,
                "milestone": p.milestone,
                "amount": str(p.amount),
                "currency": p.currency,
                "status": p.status,
                "description": p.description,
                "expense_type": p.expense_type,
                "opencollective_expense_id": p.oc_expense_id,
                "payee_slug": p.payee_slug,
                "payout_method_type": p.payout_method_type,
                "paid_at": _when(p.paid_at),
                "created_at": _when(p.created_at),
                # Who approved is someone else's data: the history says what and when.
                "history": [
                    {
                        "from_status": h.from_status,
                        "to_status": h.to_status,
                        "at": _when(h.at),
                        "reason": h.reason,
                    }
                    for h in p.history.all()
                ],
            }
            for p in payouts
        ],
    }


# Delete my account ---------------------------------------------------------------------------


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
    addresses = _addresses(user)
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
        # The audit log unlinks its entries from the account, these last ones included, and
        # names it "(deleted account)" (audit/apps.py, pre_delete).
        user.delete()
        transaction.on_commit(lambda: sessions_delete(user_pk=pk))
        # After the commit: a rolled-back deletion must still find its files.
        transaction.on_commit(lambda: _files_delete(attachments))


def _files_delete(names: list[str]) -> None:
    storage = Proposal._meta.get_field("attachment").storage
    for name in names:
        storage.delete(name)
