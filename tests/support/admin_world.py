"""One row of every model the admin registers, on each side of a program scope: the cast's
programs, which the cast's manager runs, and two hidden programs run by the cast's outsider.
The authorization matrix and tests/portal/test_admin.py check with them that the admin shows a
manager the rows of their programs and nothing of the others.

Each side has an organization and people of its own, so that nothing here changes what the
cast's roles see on the pages.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from applications.models import (
    Comment,
    ContributorProfile,
    Idea,
    Project,
    Proposal,
    Registration,
    Score,
)
from audit.models import AuditEntry
from audit.services import audit_record
from docs_season.models import (
    CaseStudy,
    DocProposal,
    Hire,
    StatementOfInterest,
    Survey,
    SurveyResponse,
    WriterProfile,
)
from evaluations.models import (
    Evaluation,
    EvaluationForm,
    EvaluationKind,
    EvaluationPeriod,
    ReminderKind,
    ReminderLog,
    Side,
)
from evaluations.services import questions
from payments.models import CountryFactor, Payout, PayoutStatus, PayoutStatusChange
from programs.models import (
    Invitation,
    MilestoneKind,
    Organization,
    Participation,
    Program,
    Role,
    Tag,
)
from programs.services import manager_grant, token_digest
from reports import publishing
from reports.models import ArchivedProject, Publication
from tests.factories import (
    DocsProgramFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    ProgramFactory,
    UserFactory,
    coding_timeline,
    docs_timeline,
)
from tests.support.cast import DEADLINE
from tests.support.evaluations import MENTOR_ANSWERS, make_project, period_of
from tests.support.payouts import make_payout
from tests.support.proposals import submitted


@dataclass
class AdminSide:
    """A coding and a docs program, one organization in both, its people and their manager.

    The attribute names are the cast's, so the cast's helpers (make_project, make_payout) build
    on a side as on the cast."""

    label: str
    program: object
    docs_program: object
    participation: object
    docs_participation: object
    manager: object
    org_admin: object
    mentor: object
    contributor: object
    writer: object


def admin_side(*, label, program, docs_program, manager) -> AdminSide:
    """A new organization in both programs, with an org admin, a mentor, a contributor (born on
    a date only superusers may read in the admin) and a writer."""
    organization = OrganizationFactory(name=f"{label} organization", slug=f"{label}-organization")
    participation = ParticipationFactory(program=program, organization=organization)
    docs_participation = ParticipationFactory(program=docs_program, organization=organization)
    org_admin = UserFactory(email=f"{label}-admin@example.org")
    for joined in (participation, docs_participation):
        MembershipFactory(participation=joined, user=org_admin, role=Role.ORG_ADMIN)
    contributor = UserFactory(email=f"{label}-contributor@example.org")
    ContributorProfile.objects.create(
        user=contributor, country_of_residence="FR", date_of_birth=date(2001, 5, 17)
    )
    writer = UserFactory(email=f"{label}-writer@example.org")
    WriterProfile.objects.create(user=writer, display_name=f"{label} writer", is_public=False)
    return AdminSide(
        label=label,
        program=program,
        docs_program=docs_program,
        participation=participation,
        docs_participation=docs_participation,
        manager=manager,
        org_admin=org_admin,
        mentor=MembershipFactory(
            participation=participation, user__email=f"{label}-mentor@example.org"
        ).user,
        contributor=contributor,
        writer=writer,
    )


def our_side(cast) -> AdminSide:
    """In the cast's programs, run by the cast's manager."""
    return admin_side(
        label="ours", program=cast.program, docs_program=cast.docs_program, manager=cast.manager
    )


def their_side(cast) -> AdminSide:
    """In two hidden programs the cast's outsider runs and the cast's manager does not."""
    program = ProgramFactory(is_public=False)
    coding_timeline(program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=DEADLINE)
    docs_program = DocsProgramFactory(is_public=False)
    docs_timeline(docs_program, around=MilestoneKind.HIRING_DEADLINE, at=DEADLINE)
    for hidden in (program, docs_program):
        manager_grant(program=hidden, user=cast.outsider)
    return admin_side(
        label="theirs", program=program, docs_program=docs_program, manager=cast.outsider
    )


def admin_rows(side: AdminSide) -> dict:
    """{model: a row of it on this side} for every model the admin registers."""
    label, now = side.label, DEADLINE
    proposal = submitted(side.participation, side.contributor, title=f"{label} proposal")
    project = make_project(side, mentors=[side.mentor])
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    form = questions.evaluation_form_for(
        program=side.program, kind=EvaluationKind.MIDTERM, side=Side.MENTOR
    )
    payout = make_payout(side, project=project)
    survey, _ = Survey.objects.get_or_create(
        program=side.docs_program, sequence=1, defaults={"title": f"{label} survey"}
    )
    publication = Publication.objects.filter(
        program=side.program, superseded_by=None
    ).first() or publishing.statistics_publish(program=side.program, by=side.manager, now=now)
    return {
        Group: Group.objects.create(name=f"{label} reviewers"),
        EmailAddress: EmailAddress.objects.get(user=side.contributor),
        User: side.contributor,
        AuditEntry: audit_record(
            actor=side.manager,
            action="test.row",
            obj=side.participation,
            before={},
            after={},
            program=side.program,
            at=now,
        ),
        Program: side.program,
        Organization: side.participation.organization,
        Tag: Tag.objects.create(name=f"{label} tag", slug=f"{label}-tag"),
        Participation: side.participation,
        Invitation: Invitation.objects.create(
            participation=side.participation,
            email=f"{label}-invited@example.org",
            token_digest=token_digest(label),
            invited_by=side.org_admin,
            created_at=now,
            expires_at=now + timedelta(days=7),
        ),
        ContributorProfile: side.contributor.contributor_profile,
        Registration: Registration.objects.create(
            program=side.program, user=side.contributor, registered_at=now
        ),
        Idea: Idea.objects.create(
            participation=side.participation, title=f"{label} idea", description="d", size=175
        ),
        Proposal: proposal,
        Project: project,
        Comment: Comment.objects.create(proposal=proposal, author=side.mentor, body="Promising."),
        Score: Score.objects.create(proposal=proposal, reviewer=side.mentor, value=3),
        WriterProfile: side.writer.writer_profile,
        DocProposal: DocProposal.objects.create(
            participation=side.docs_participation, title=f"{label} docs"
        ),
        StatementOfInterest: StatementOfInterest.objects.create(
            participation=side.docs_participation,
            writer=side.writer,
            message="I would like to help.",
            sent_at=now - timedelta(days=1),
        ),
        Hire: Hire.objects.create(
            participation=side.docs_participation,
            writer=side.writer,
            agreed_hours=120,
            hours_per_week=10,
            compensation=Decimal("6000.00"),
            hired_at=now,
            hired_by=side.org_admin,
        ),
        CaseStudy: CaseStudy.objects.create(participation=side.docs_participation),
        Survey: survey,
        SurveyResponse: SurveyResponse.objects.create(
            survey=survey,
            participation=side.docs_participation,
            answers={"pages": 12},
            submitted_at=now,
            submitted_by=side.org_admin,
        ),
        EvaluationForm: form,
        EvaluationPeriod: period,
        Evaluation: Evaluation.objects.create(
            period=period,
            form=form,
            filed_by=side.mentor,
            submitted_at=now,
            answers=MENTOR_ANSWERS,
            passed=True,
        ),
        ReminderLog: ReminderLog.objects.create(
            subject=f"period:{period.pk}", kind=ReminderKind.OPENED, email=side.mentor.email
        ),
        CountryFactor: CountryFactor.objects.get_or_create(
            program=side.program, country="IN", defaults={"factor": Decimal("0.750")}
        )[0],
        Payout: payout,
        PayoutStatusChange: PayoutStatusChange.objects.create(
            payout=payout, to_status=PayoutStatus.PENDING, at=now, reason="due"
        ),
        ArchivedProject: ArchivedProject.objects.create(
            participation=side.participation,
            title=f"{label} archived",
            archived_at=now,
            external_key=f"{label}:archived",
        ),
        Publication: publication,
    }


def admin_url(obj_or_model, view="change") -> str:
    """The admin's changelist or add page of a model, or change, delete or history page of a row."""
    opts = obj_or_model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_{view}"
    if view in ("changelist", "add"):
        return reverse(name)
    return reverse(name, args=[obj_or_model.pk])


class _AdminForm(HTMLParser):
    """The fields of an admin change form as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select = self._first_option = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = (attrs.get("id") or "").endswith("_form")
        name = attrs.get("name")
        if not self._in_form:
            return
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image"):
                self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attrs.get("value") or ""
            self._first_option = value if self._first_option is None else self._first_option
            if "selected" in attrs:
                self.data[self._select].append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            if not self.data[self._select] and self._first_option is not None:
                self.data[self._select].append(self._first_option)
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline Django writes after <textarea>.
            self.data[self._textarea][-1] = self.data[self._textarea][-1].removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def admin_form(response) -> dict[str, list[str]]:
    """What submitting the admin page's form unchanged would send."""
    parser = _AdminForm()
    parser.feed(response.content.decode())
    return parser.data
