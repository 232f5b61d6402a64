"""Demo data: GSoC 2023 and Season of Docs 2023 with their real timelines, two live programs
whose windows sit around today, a few organizations and one account per role.

Loading is idempotent: every row is looked up by its natural key and saved only when a value
differs, so a second run on the same day changes nothing.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import models

from applications.models import ContributorProfile, Idea, Proposal, ProposalMentor
from applications.services import proposals
from applications.services.eligibility import contributor_register
from docs_season.models import (
    BudgetItem,
    BudgetKind,
    CaseStudy,
    CaseStudyStatus,
    Deliverable,
    DocProposal,
    DocProposalStatus,
    Hire,
    Lesson,
    LessonKind,
    StatementOfInterest,
    Survey,
    WriterProfile,
)
from programs.models import (
    Membership,
    Milestone,
    MilestoneKind,
    Organization,
    Participation,
    ParticipationStatus,
    Program,
    ProgramKind,
    ProjectSize,
    Role,
    Tag,
)
from programs.services import manager_grant

DEMO_PASSWORD = "seasons-demo"  # noqa: S105 — printed for people to sign in locally
K = MilestoneKind


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str


ACCOUNTS = [
    DemoAccount("program manager", "manager@demo.seasons.test", "Mina Manager"),
    DemoAccount("org admin", "orgadmin@demo.seasons.test", "Omar Orgadmin"),
    DemoAccount("mentor", "mentor@demo.seasons.test", "Mei Mentor"),
    DemoAccount("contributor", "contributor@demo.seasons.test", "Caro Contributor"),
    DemoAccount("technical writer", "writer@demo.seasons.test", "Wren Writer"),
]

ORGANIZATIONS = [
    ("aurora-graphics", "Aurora Graphics", "Open 3D rendering for everyone", ["graphics", "c++"]),
    ("kestrel-data", "Kestrel Data", "Streaming analytics you can read", ["data", "python"]),
    ("lumen-docs", "Lumen Docs", "A documentation toolchain for science", ["docs", "python"]),
    (
        "pinecone-compilers",
        "Pinecone Compilers",
        "A friendly compiler toolkit",
        ["compilers", "rust"],
    ),
    ("quill-science", "Quill Science", "Reproducible notebooks for labs", ["science", "jupyter"]),
    ("tern-networks", "Tern Networks", "Mesh networking for communities", ["networking", "go"]),
]


def _at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _days_from(today: date):
    """day(n): 18:00 UTC n days from today, the hour GSoC deadlines fall on."""
    return lambda offset: _at(today + timedelta(days=offset))


def _d(y, m, d, hour=18) -> datetime:
    return datetime(y, m, d, hour, tzinfo=UTC)


def upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Get or create by lookup; save only when a value differs (keeps auto_now fields still)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save(update_fields=changed)
    return obj


def _timeline(program: Program, rows) -> None:
    """rows: (kind, sequence, starts_at or None, ends_at)."""
    for kind, sequence, starts_at, ends_at in rows:
        upsert(
            Milestone,
            {"program": program, "kind": kind, "sequence": sequence},
            {"starts_at": starts_at, "ends_at": ends_at},
        )


def gsoc_2023_timeline():
    return [
        (K.ORG_APPLICATIONS, 1, _d(2023, 1, 23), _d(2023, 2, 7)),
        (K.ORGS_ANNOUNCED, 1, None, _d(2023, 2, 22)),
        (K.CONTRIBUTOR_APPLICATIONS, 1, _d(2023, 3, 20), _d(2023, 4, 4)),
        (K.RANKING_DUE, 1, None, _d(2023, 4, 27)),
        (K.CONTRIBUTORS_ANNOUNCED, 1, None, _d(2023, 5, 4)),
        (K.COMMUNITY_BONDING, 1, _d(2023, 5, 4), _d(2023, 5, 28)),
        (K.CODING, 1, _d(2023, 5, 29), _d(2023, 8, 28)),
        (K.MIDTERM_EVALUATIONS, 1, _d(2023, 7, 10), _d(2023, 7, 14)),
        (K.FINAL_WORK_SUBMISSION, 1, _d(2023, 8, 21), _d(2023, 8, 28)),
        (K.MENTOR_FINAL_EVALUATIONS, 1, _d(2023, 8, 28), _d(2023, 9, 4)),
        (K.RESULTS, 1, None, _d(2023, 9, 5)),
        (K.EXTENDED_CODING, 1, _d(2023, 9, 5), _d(2023, 11, 6)),
        (K.EXTENDED_EVALUATIONS, 1, _d(2023, 11, 6), _d(2023, 11, 13)),
    ]


def sod_2023_timeline():
    monthly = [(6, 14, 21), (7, 14, 21), (8, 14, 21), (9, 14, 21), (10, 16, 23)]
    surveys = [(5, 1, 8), (8, 1, 9), (11, 1, 8)]
    return [
        (K.PROGRAM_ANNOUNCED, 1, None, _d(2023, 1, 18)),
        (K.ORG_APPLICATIONS, 1, _d(2023, 2, 15), _d(2023, 3, 24)),
        (K.ORGS_ANNOUNCED, 1, None, _d(2023, 3, 31)),
        (K.WRITER_APPLICATIONS, 1, _d(2023, 3, 31), _d(2023, 5, 10)),
        (K.HIRING_DEADLINE, 1, None, _d(2023, 5, 10)),
        (K.DOC_DEVELOPMENT, 1, _d(2023, 3, 31), _d(2023, 11, 21)),
        *[
            (K.MONTHLY_EVALUATION, n, _d(2023, m, start), _d(2023, m, end))
            for n, (m, start, end) in enumerate(monthly, start=1)
        ],
        (K.CASE_STUDY, 1, _d(2023, 11, 6), _d(2023, 11, 21)),
        (K.RESULTS, 1, None, _d(2023, 12, 5)),
        *[
            (K.FOLLOW_UP_SURVEY, n, _d(2024, m, start), _d(2024, m, end))
            for n, (m, start, end) in enumerate(surveys, start=1)
        ],
    ]


def live_coding_timeline(today: date):
    """A coding season whose contributor application window is open today."""
    day = _days_from(today)

    return [
        (K.ORG_APPLICATIONS, 1, day(-60), day(-45)),
        (K.ORGS_ANNOUNCED, 1, None, day(-30)),
        (K.CONTRIBUTOR_APPLICATIONS, 1, day(-7), day(7)),
        (K.RANKING_DUE, 1, None, day(30)),
        (K.CONTRIBUTORS_ANNOUNCED, 1, None, day(37)),
        (K.COMMUNITY_BONDING, 1, day(37), day(61)),
        (K.CODING, 1, day(62), day(146)),
        (K.MIDTERM_EVALUATIONS, 1, day(104), day(108)),
        (K.FINAL_WORK_SUBMISSION, 1, day(139), day(146)),
        (K.MENTOR_FINAL_EVALUATIONS, 1, day(146), day(153)),
        (K.RESULTS, 1, None, day(154)),
    ]


def live_docs_timeline(today: date):
    """A docs season whose writers are being hired now."""
    day = _days_from(today)

    return [
        (K.ORG_APPLICATIONS, 1, day(-50), day(-20)),
        (K.ORGS_ANNOUNCED, 1, None, day(-10)),
        (K.WRITER_APPLICATIONS, 1, day(-10), day(21)),
        (K.HIRING_DEADLINE, 1, None, day(21)),
        (K.DOC_DEVELOPMENT, 1, day(-10), day(180)),
        *[(K.MONTHLY_EVALUATION, n, day(30 * n + 5), day(30 * n + 12)) for n in range(1, 6)],
        (K.CASE_STUDY, 1, day(170), day(185)),
        (K.RESULTS, 1, None, day(200)),
    ]


def _program(slug, **values) -> Program:
    return upsert(Program, {"slug": slug}, values)


def _accounts():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = {}
    for account in ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(account.email, DEMO_PASSWORD, name=account.name)
        upsert(
            EmailAddress,
            {"user": user, "email": account.email},
            {"verified": True, "primary": True},
        )
        users[account.role] = user
    return users


IDEAS = [
    ("aurora-graphics", "Vulkan back end for the preview renderer", 350, "C++, Vulkan, GPU"),
    ("aurora-graphics", "Accessible colour themes", 90, "CSS, accessibility"),
    ("kestrel-data", "Windowed joins for the streaming engine", 175, "Python, Rust"),
    ("pinecone-compilers", "Better error messages for type mismatches", 175, "Rust, compilers"),
    ("tern-networks", "Mesh route visualiser", 175, "Go, JavaScript"),
]


def _live_proposals(program, users, orgs, now):
    """Ideas of the live season, and the demo contributor's draft and submitted proposals."""
    mentor = users["mentor"]
    for org_slug, title, size, skills in IDEAS:
        participation = Participation.objects.get(program=program, organization=orgs[org_slug])
        idea = upsert(
            Idea,
            {"participation": participation, "title": title},
            {
                "description": f"**{title}.** A demo idea: scope it, plan it, ship it.",
                "size": size,
                "skills": skills,
            },
        )
        if org_slug == "aurora-graphics":
            idea.mentors.add(mentor)
    contributor = users["contributor"]
    contributor_register(user=contributor, program=program, now=now)
    aurora = Participation.objects.get(program=program, organization=orgs["aurora-graphics"])
    kestrel = Participation.objects.get(program=program, organization=orgs["kestrel-data"])
    submitted = Proposal.objects.filter(contributor=contributor, participation=aurora).first()
    if submitted is None:
        submitted = proposals.proposal_create(
            contributor=contributor,
            program=program,
            participation=aurora,
            idea=aurora.ideas.order_by("pk").first(),
            now=now,
        )
        proposals.proposal_save(
            proposal=submitted,
            by=contributor,
            now=now,
            data={
                "abstract": "A Vulkan back end so previews render at 60 fps on modest laptops.",
                "body": "## Plan\n\n1. Abstract the renderer interface.\n2. Port the passes.",
                "size": 350,
                "length_weeks": 12,
                "preference": 1,
            },
        )
        proposals.proposal_submit(proposal=submitted, by=contributor, now=now)
        ProposalMentor.objects.get_or_create(proposal=submitted, mentor=mentor)
    if not Proposal.objects.filter(contributor=contributor, participation=kestrel).exists():
        draft = proposals.proposal_create(
            contributor=contributor,
            program=program,
            participation=kestrel,
            idea=kestrel.ideas.first(),
            now=now,
        )
        proposals.proposal_save(
            proposal=draft,
            by=contributor,
            now=now,
            data={"abstract": "Windowed joins, first draft.", "preference": 2},
        )


def load_demo(*, now: datetime) -> dict:
    """Create or refresh every demo row; returns the demo users by role."""
    users = _accounts()
    tags = {}
    for slug, name, tagline, tag_names in ORGANIZATIONS:
        org = upsert(
            Organization,
            {"slug": slug},
            {
                "name": name,
                "tagline": tagline,
                "website": f"https://{slug}.example.org/",
                "description": f"{name} builds free software. {tagline}.",
                "contact_links": [
                    {"name": "chat", "value": f"https://chat.example.org/{slug}"},
                    {"name": "mailingList", "value": f"dev@{slug}.example.org"},
                ],
            },
        )
        for tag_name in tag_names:
            if tag_name not in tags:
                tags[tag_name] = upsert(
                    Tag, {"slug": tag_name.replace("+", "p")}, {"name": tag_name}
                )
        org.tags.add(*(tags[t] for t in tag_names))
    orgs = {o.slug: o for o in Organization.objects.filter(slug__in=[o[0] for o in ORGANIZATIONS])}

    today = now.date()
    gsoc = _program(
        "gsoc-2023",
        kind=ProgramKind.CODING,
        name="Google Summer of Code 2023",
        series="gsoc",
        year=2023,
        tagline="Open source contributors, mentored by open source organizations.",
        sizes_offered=[ProjectSize.MEDIUM, ProjectSize.LARGE],
    )
    sod = _program(
        "sod-2023",
        kind=ProgramKind.DOCS,
        name="Season of Docs 2023",
        series="sod",
        year=2023,
        tagline="Technical writers and open source organizations, funded by grants.",
        funding_total=Decimal("195000.00"),
    )
    live_coding = _program(
        "summer-of-code-live",
        kind=ProgramKind.CODING,
        name=f"Seasons Summer of Code {today.year} (live demo)",
        series="seasons-code",
        year=today.year,
        tagline="A demo season whose contributor applications are open now.",
    )
    live_docs = _program(
        "season-of-docs-live",
        kind=ProgramKind.DOCS,
        name=f"Seasons Season of Docs {today.year} (live demo)",
        series="seasons-docs",
        year=today.year,
        tagline="A demo season that is hiring technical writers now.",
        funding_total=Decimal("60000.00"),
    )
    _timeline(gsoc, gsoc_2023_timeline())
    _timeline(sod, sod_2023_timeline())
    _timeline(live_coding, live_coding_timeline(today))
    _timeline(live_docs, live_docs_timeline(today))

    accepted, applied, rejected = (
        ParticipationStatus.ACCEPTED,
        ParticipationStatus.APPLIED,
        ParticipationStatus.REJECTED,
    )
    coding_rows = [
        ("aurora-graphics", accepted, 6, 4),
        ("kestrel-data", accepted, 4, 3),
        ("pinecone-compilers", accepted, 3, 2),
        ("tern-networks", accepted, 2, 1),
        ("quill-science", rejected, None, None),
    ]
    for program in (gsoc, live_coding):
        for slug, status, requested, allocated in coding_rows:
            upsert(
                Participation,
                {"organization": orgs[slug], "program": program},
                {
                    "status": status,
                    "slots_requested": requested,
                    # The live season is still taking applications: nothing allocated yet.
                    "slots_allocated": allocated if program is gsoc else None,
                    "ideas_list_url": f"https://{slug}.example.org/ideas/",
                },
            )
    docs_rows = [
        ("lumen-docs", accepted, Decimal("12000.00")),
        ("quill-science", accepted, Decimal("9500.00")),
        ("kestrel-data", accepted, Decimal("15000.00")),
        ("tern-networks", applied, Decimal("7000.00")),
    ]
    for program in (sod, live_docs):
        for slug, status, budget in docs_rows:
            upsert(
                Participation,
                {"organization": orgs[slug], "program": program},
                {"status": status, "budget_requested": budget},
            )

    for program in (gsoc, sod, live_coding, live_docs):
        manager_grant(program=program, user=users["program manager"])
    for program, org_slug in (
        (gsoc, "aurora-graphics"),
        (live_coding, "aurora-graphics"),
        (sod, "lumen-docs"),
        (live_docs, "lumen-docs"),
    ):
        participation = Participation.objects.get(program=program, organization=orgs[org_slug])
        Membership.objects.get_or_create(
            participation=participation, user=users["org admin"], role=Role.ORG_ADMIN
        )
        if program.is_coding:
            Membership.objects.get_or_create(
                participation=participation, user=users["mentor"], role=Role.MENTOR
            )

    upsert(
        ContributorProfile,
        {"user": users["contributor"]},
        {
            "country_of_residence": "BR",
            "timezone": "America/Sao_Paulo",
            "date_of_birth": date(2001, 5, 17),
            "is_student": True,
            "is_beginner": True,
        },
    )
    upsert(
        WriterProfile,
        {"user": users["technical writer"]},
        {
            "display_name": "Wren Writer",
            "headline": "API references and tutorials for developer tools",
            "bio": "Five years writing documentation for open-source libraries.",
            "country_of_residence": "KE",
            "timezone": "Africa/Nairobi",
            "skills": ["API reference", "tutorials", "Sphinx", "Markdown"],
            "portfolio_links": ["https://portfolio.example.org/wren"],
            "hours_per_week_min": 10,
            "hours_per_week_max": 20,
        },
    )
    _live_proposals(live_coding, users, orgs, now)
    _docs_season(sod, live_docs, users, orgs, now)
    return users


SURVEY_QUESTIONS = [
    {"key": "docs_used", "type": "yes_no",
     "label": "Is the documentation from the project still in use?"},
    {"key": "metric_change", "type": "text",
     "label": "How did your success metrics change since the project?"},
    {"key": "contributors", "type": "number",
     "label": "How many new documentation contributors joined?"},
]  # fmt: skip


def _doc_proposal(participation, title, writer_amount, submitted_at):
    proposal = upsert(
        DocProposal,
        {"participation": participation},
        {
            "title": title,
            "about_organization": f"{participation.organization.name} builds free software.",
            "problem": "New users cannot find how to get started.",
            "scope": "Rewrite the getting-started guide and add three tutorials.",
            "success_metrics": "Fewer getting-started questions on the forum; page views.",
            "timeline": "Six months: audit, write, review, publish.",
            "status": DocProposalStatus.SUBMITTED,
            "submitted_at": submitted_at,
        },
    )
    lines = [
        (BudgetKind.TECHNICAL_WRITER, "Technical writer: audit, write and publish", writer_amount),
        (BudgetKind.VOLUNTEER_STIPEND, "Stipend for the volunteer reviewer", Decimal("500.00")),
        (BudgetKind.SWAG, "Stickers for contributors", Decimal("150.00")),
    ]
    for position, (kind, description, amount) in enumerate(lines, start=1):
        upsert(
            BudgetItem,
            {"proposal": proposal, "position": position},
            {"kind": kind, "description": description, "amount": amount},
        )
    return proposal


def _docs_season(sod, live_docs, users, orgs, now):
    """Doc proposals of both docs seasons, a hire and a published case study in 2023, follow-up
    surveys, and the demo writer's statement of interest in the live season."""
    for program in (sod, live_docs):
        submitted_at = program.milestone(MilestoneKind.ORG_APPLICATIONS).ends_at
        for slug, writer_amount in (("lumen-docs", "9000.00"), ("quill-science", "7000.00")):
            participation = Participation.objects.get(program=program, organization=orgs[slug])
            _doc_proposal(
                participation,
                f"{orgs[slug].name} getting-started guide",
                Decimal(writer_amount),
                submitted_at,
            )
    writer = users["technical writer"]
    lumen_2023 = Participation.objects.get(program=sod, organization=orgs["lumen-docs"])
    upsert(
        Hire,
        {"participation": lumen_2023, "writer": writer},
        {
            "agreed_hours": 300,
            "hours_per_week": 15,
            "compensation": Decimal("9000.00"),
            "hired_at": sod.milestone(MilestoneKind.HIRING_DEADLINE).ends_at - timedelta(days=5),
            "hired_by": users["org admin"],
        },
    )
    case_window = sod.milestone(MilestoneKind.CASE_STUDY)
    study = upsert(
        CaseStudy,
        {"participation": lumen_2023},
        {
            "writers_count": 1,
            "project_hours": 310,
            "budget_amount": Decimal("9650.00"),
            "percent_complete": 90,
            "problem": "Newcomers gave up before their first build; we rewrote the path in.",
            "outcomes": "A new getting-started guide and three tutorials, published in October.",
            "went_well": "Weekly calls with the writer; we would start the review rota earlier.",
            "advice": "Budget time for reviews: they took a third of the hours.",
            "recruitment": "Five statements of interest; we hired a writer with tutorials.",
            "metrics": "Forum questions about installation fell from 40 to 15 a month.",
            "analysis": "A success: the guide is now the most visited page.",
            "status": CaseStudyStatus.ACCEPTED,
            "submitted_at": case_window.ends_at - timedelta(days=2),
            "reviewed_at": case_window.ends_at,
            "reviewed_by": users["program manager"],
        },
    )
    upsert(
        Deliverable,
        {"case_study": study, "position": 1},
        {
            "title": "Getting-started guide",
            "planned": True,
            "percent_complete": 100,
            "links": "https://lumen-docs.example.org/start",
        },
    )
    upsert(
        Deliverable,
        {"case_study": study, "position": 2},
        {"title": "Three tutorials", "planned": True, "percent_complete": 70, "links": ""},
    )
    upsert(
        Lesson,
        {"case_study": study, "topic": "Communication", "kind": LessonKind.WENT_WELL},
        {
            "what_we_did": "A weekly call and a shared tracker.",
            "lesson": "Short, regular check-ins beat long reviews.",
        },
    )
    for sequence, title in enumerate(
        ("First follow-up survey", "Second follow-up survey", "Third follow-up survey"), start=1
    ):
        upsert(
            Survey,
            {"program": sod, "sequence": sequence},
            {"title": title, "questions": SURVEY_QUESTIONS},
        )
    lumen_live = Participation.objects.get(program=live_docs, organization=orgs["lumen-docs"])
    # Created once: a later run must not move the day it was sent.
    StatementOfInterest.objects.get_or_create(
        participation=lumen_live,
        writer=writer,
        defaults={
            "message": "I write tutorials for scientific Python tools and would love to help.",
            "sent_at": now - timedelta(days=2),
        },
    )
