"""Download my data: everything the portal holds about a person, as one JSON document."""

from datetime import datetime

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.models import ApiToken
from applications.models import (
    Comment,
    ContributorProfile,
    Project,
    Proposal,
    ProposalMentor,
    Registration,
    Score,
)
from docs_season.models import Hire, StatementOfInterest, SurveyResponse, WriterProfile
from evaluations.models import Evaluation, Side
from payments.models import Payout
from programs.models import Invitation, Membership, ProgramManager

EXPORT_FORMAT = "seasons-user-data/1"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _where(participation) -> dict:
    return {
        "program": participation.program.name,
        "organization": participation.organization.name,
    }


def user_addresses(user) -> set[str]:
    """Every address the person signed up or verified with, lower-cased."""
    emails = {user.email.lower()}
    emails.update(
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    return emails


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
    """What the person may read of an evaluation about them or their mentoring: a contributor
    reads the mentor's grade only; a mentor reads everything but the private answers. For the
    mentor this is wider than the pages where the program keeps the contributor's evaluation
    from mentors (visible_answers): the export answers the person's right of access to what
    was written about them."""
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
    addresses = user_addresses(user)
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
