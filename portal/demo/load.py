"""Demo data: GSoC 2023 and Season of Docs 2023 with their real timelines, two live programs
whose windows sit around today, a few organizations and one account per role.

Loading is idempotent: every row is looked up by its natural key and saved only when a value
differs, so a second run on the same day changes nothing.
"""

from datetime import date, datetime
from decimal import Decimal

from applications.models import ContributorProfile, Idea, Proposal, ProposalMentor
from applications.services import proposals
from applications.services.eligibility import contributor_register
from docs_season.models import (
    WriterProfile,
)
from portal.demo.accounts import accounts_ensure
from portal.demo.docs import docs_seasons_fill
from portal.demo.timelines import (
    gsoc_2023_timeline,
    live_coding_timeline,
    live_docs_timeline,
    program_upsert,
    sod_2023_timeline,
    timeline_upsert,
    upsert,
)
from programs.models import (
    Membership,
    Organization,
    Participation,
    ParticipationStatus,
    ProgramKind,
    ProjectSize,
    Role,
    Tag,
)
from programs.services import manager_grant

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
    users = accounts_ensure()
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
    gsoc = program_upsert(
        "gsoc-2023",
        kind=ProgramKind.CODING,
        name="Google Summer of Code 2023",
        series="gsoc",
        year=2023,
        tagline="Open source contributors, mentored by open source organizations.",
        sizes_offered=[ProjectSize.MEDIUM, ProjectSize.LARGE],
    )
    sod = program_upsert(
        "sod-2023",
        kind=ProgramKind.DOCS,
        name="Season of Docs 2023",
        series="sod",
        year=2023,
        tagline="Technical writers and open source organizations, funded by grants.",
        funding_total=Decimal("195000.00"),
    )
    live_coding = program_upsert(
        "summer-of-code-live",
        kind=ProgramKind.CODING,
        name=f"Seasons Summer of Code {today.year} (live demo)",
        series="seasons-code",
        year=today.year,
        tagline="A demo season whose contributor applications are open now.",
    )
    live_docs = program_upsert(
        "season-of-docs-live",
        kind=ProgramKind.DOCS,
        name=f"Seasons Season of Docs {today.year} (live demo)",
        series="seasons-docs",
        year=today.year,
        tagline="A demo season that is hiring technical writers now.",
        funding_total=Decimal("60000.00"),
    )
    timeline_upsert(gsoc, gsoc_2023_timeline())
    timeline_upsert(sod, sod_2023_timeline())
    timeline_upsert(live_coding, live_coding_timeline(today))
    timeline_upsert(live_docs, live_docs_timeline(today))

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
    docs_seasons_fill(sod, live_docs, users, orgs, now)
    return users
