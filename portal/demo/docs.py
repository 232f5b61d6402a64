"""The demo docs seasons: organization applications with budgets, a writer, statements and hires."""

from datetime import timedelta
from decimal import Decimal

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
)
from portal.demo.timelines import upsert
from programs.models import (
    MilestoneKind,
    Participation,
)

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


def docs_seasons_fill(sod, live_docs, users, orgs, now):
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
