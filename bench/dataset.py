"""The benchmark dataset: ten times GSoC 2024 in one coding program in its coding period, a second
coding program whose application window is open (the deadline spike), and two docs programs.

Rows are built in Python with explicit primary keys (no round trips to learn ids) and loaded
with COPY on PostgreSQL (bulk_create elsewhere, e.g. the SQLite test database). Every state is the
one the services would have produced by `now`: periods missed, projects ended and payouts created
exactly as the scheduler and the payout job would have, so that a run of either at `now` finds
only what is really due (reminders not yet claimed).
"""

import random
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from operator import attrgetter

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import FileField, JSONField, Max
from django.utils import timezone

from applications.models import (
    ContributorProfile,
    Idea,
    Project,
    Proposal,
    ProposalMentor,
    ProposalStatus,
    Receipt,
    Registration,
    Score,
)
from applications.services.proposals import digest_of
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
    WriterProfile,
)
from evaluations.models import (
    Evaluation,
    EvaluationForm,
    EvaluationKind,
    EvaluationPeriod,
    PeriodStatus,
    Side,
)
from evaluations.services.periods import MISSED_GRACE, project_period_windows
from evaluations.services.questions import DEFAULT_QUESTIONS
from payments.models import CountryFactor, ExpenseType, Payout, PayoutStatus, PayoutStatusChange
from payments.models import Milestone as PayMilestone
from payments.money import clamp, split, to_cents
from programs.models import (
    Membership,
    Milestone,
    MilestoneKind,
    Organization,
    Participation,
    ParticipationStatus,
    Program,
    ProgramKind,
    ProgramManager,
    ProjectSize,
    Role,
)
from programs.services import program_phases_advance

K = MilestoneKind
PASSWORD = "seasons-bench"
DOMAIN = "bench.example.org"
CODING_SLUG, SPIKE_SLUG = "gsoc-10x", "gsoc-spike"
DOCS_SLUG, DOCS_PREV_SLUG = "sod-10x", "sod-10x-prev"
MANAGER_EMAIL = f"manager@{DOMAIN}"
SPIKE_EMAIL = "spike-{:05d}@" + DOMAIN

# Ten times GSoC 2024 (195 orgs, 9,107 proposals from 6,518 applicants, 1,220 accepted) with
# GSoC-like headroom: registered contributors outnumber applicants, orgs bring many mentors.
BASE = {
    "orgs": 2000,
    "mentors": 30000,
    "contributors": 65000,
    "proposals": 100000,
    "projects": 12000,
    "spike_orgs": 400,
    "spike_proposals": 20000,
    "spike_contributors": 5000,
    "docs_orgs": 130,
    "writers": 3000,
    "statements": 13000,
}
MINIMUM = {"orgs": 4, "mentors": 12, "contributors": 40, "proposals": 60, "projects": 8}

# Applicants' countries of residence, GSoC-like: India far ahead, then the US, China, Germany,
# Nigeria, Brazil... (weights in percent of applicants; the tail is spread over the rest).
COUNTRIES = {
    "IN": 46, "US": 8, "CN": 5, "DE": 3, "NG": 3, "BR": 2.5, "ID": 2.2, "PK": 2, "BD": 2,
    "GB": 1.8, "CA": 1.6, "LK": 1.5, "EG": 1.5, "KE": 1.2, "VN": 1.2, "FR": 1.1, "NP": 1,
    "ES": 1, "PL": 0.9, "PH": 0.9, "TR": 0.8, "IT": 0.8, "MX": 0.8, "JP": 0.7, "GH": 0.7,
    "UA": 0.6, "AR": 0.6, "NL": 0.5, "AU": 0.5, "CO": 0.5, "MA": 0.4, "ZA": 0.4, "KR": 0.4,
    "PT": 0.4, "SG": 0.3, "TW": 0.3, "MY": 0.3, "CH": 0.3, "SE": 0.3, "UG": 0.3,
}  # fmt: skip
TIMEZONES = {
    "IN": "Asia/Kolkata", "US": "America/New_York", "CN": "Asia/Shanghai",
    "DE": "Europe/Berlin", "NG": "Africa/Lagos", "BR": "America/Sao_Paulo",
    "ID": "Asia/Jakarta", "PK": "Asia/Karachi", "BD": "Asia/Dhaka", "GB": "Europe/London",
}  # fmt: skip
# Purchasing-power factors of the stipend (clamped by the program to [0.5, 1.1]).
FACTORS = {
    "IN": "0.45", "PK": "0.45", "BD": "0.45", "NG": "0.5", "EG": "0.5", "LK": "0.5",
    "NP": "0.45", "KE": "0.55", "ID": "0.55", "VN": "0.55", "CN": "0.7", "BR": "0.65",
    "US": "1.0", "DE": "0.95", "GB": "1.0", "CA": "0.95", "CH": "1.2",
}  # fmt: skip
EXCLUDED = ["CU", "IR", "KP", "SY"]
SIZES = [(ProjectSize.SMALL, 25), (ProjectSize.MEDIUM, 45), (ProjectSize.LARGE, 30)]
LENGTHS = {
    ProjectSize.SMALL: [(8, 20), (10, 30), (12, 50)],
    ProjectSize.MEDIUM: [(10, 5), (12, 60), (14, 8), (16, 8), (18, 7), (20, 6), (22, 6)],
    ProjectSize.LARGE: [(10, 5), (12, 60), (14, 8), (16, 8), (18, 7), (20, 6), (22, 6)],
}
FIRST = [
    "Aarav",
    "Priya",
    "Wei",
    "Lena",
    "Chinedu",
    "Ana",
    "Budi",
    "Sara",
    "Omar",
    "Mei",
    "Ravi",
    "Fatima",
    "Lukas",
    "Ngozi",
    "Diego",
    "Anjali",
    "Kofi",
    "Yuki",
    "Elena",
    "Tariq",
]
LAST = [
    "Sharma",
    "Patel",
    "Li",
    "Müller",
    "Okafor",
    "Silva",
    "Santoso",
    "Khan",
    "Rahman",
    "Smith",
    "Nguyen",
    "Garcia",
    "Kumar",
    "Wang",
    "Mensah",
    "Kowalski",
    "Ivanova",
    "Sato",
]
WORDS = [
    "parser",
    "cache",
    "scheduler",
    "plugin",
    "compiler",
    "renderer",
    "dashboard",
    "api",
    "sync",
    "index",
    "search",
    "migration",
    "accessibility",
    "docs",
    "testing",
    "packaging",
    "telemetry",
    "editor",
    "kernel",
    "notebook",
]
SKILLS = ["python", "rust", "c++", "javascript", "go", "java", "julia", "r", "typescript"]  # fmt: skip
PARAGRAPH = (
    "This project improves the {w1} and the {w2} of the organization's main repository. "
    "I will start by writing tests around the current behaviour, then refactor in small "
    "reviewed steps, and document each change as I go. "
)


def _counts(scale: float) -> dict:
    counts = {k: max(MINIMUM.get(k, 2), round(v * scale)) for k, v in BASE.items()}
    counts["projects"] = min(counts["projects"], counts["contributors"] // 2, counts["proposals"])
    return counts


def _at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, dtime(hour), tzinfo=UTC)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class Loader:
    """Rows with explicit ids: COPY on PostgreSQL, bulk_create elsewhere; sequences reset after."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.next = {}
        self.loaded = defaultdict(int)
        self.seconds = defaultdict(float)

    def ids(self, model, n: int) -> range:
        if model not in self.next:
            self.next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        start = self.next[model]
        self.next[model] = start + n
        return range(start, start + n)

    def load(self, model, objects: list) -> None:
        if not objects:
            return
        started = time.perf_counter()
        if self.pg:
            fields = model._meta.concrete_fields
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            table = connection.ops.quote_name(model._meta.db_table)
            # Most values go to psycopg as they are; only fields that compute or wrap their
            # value (auto_now, JSON, files) go through Django's preparation.
            plain = [
                not (
                    getattr(f, "auto_now", False)
                    or getattr(f, "auto_now_add", False)
                    or isinstance(f, (JSONField, FileField))
                )
                for f in fields
            ]
            getters = [
                attrgetter(f.attname)
                if is_plain
                else (lambda obj, f=f: f.get_db_prep_save(f.pre_save(obj, True), connection))
                for f, is_plain in zip(fields, plain, strict=True)
            ]
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for obj in objects:
                    copy.write_row([get(obj) for get in getters])
        else:
            model.objects.bulk_create(objects, batch_size=500)
        self.loaded[model._meta.label] += len(objects)
        self.seconds[model._meta.label] += time.perf_counter() - started

    def finish(self) -> None:
        if self.pg:
            models = list(self.next)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
                cursor.execute("ANALYZE")


class Builder:
    def __init__(self, *, scale: float, now: datetime, seed: int = 2024):
        self.scale, self.now = scale, now
        self.n = _counts(scale)
        self.rng = random.Random(seed)
        self.db = Loader()
        self.password = make_password(PASSWORD)
        self.today = now.date()
        self.out = {"scale": scale, "now": now.isoformat(), "password": PASSWORD}
        self.countries = list(COUNTRIES.items())

    # People ------------------------------------------------------------------------------

    def users(self, emails: list[str]) -> list[int]:
        User = get_user_model()
        ids = self.db.ids(User, len(emails))
        joined = self.now - timedelta(days=200)
        rng = self.rng
        users = [
            User(
                id=pk,
                email=email,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                password=self.password,
                date_joined=joined,
                is_active=True,
            )
            for pk, email in zip(ids, emails, strict=True)
        ]
        self.db.load(User, users)
        addresses = self.db.ids(EmailAddress, len(emails))
        self.db.load(
            EmailAddress,
            [
                EmailAddress(id=a, user_id=u, email=e, verified=True, primary=True)
                for a, u, e in zip(addresses, ids, emails, strict=True)
            ],
        )
        return list(ids)

    def contributor_profiles(self, user_ids: list[int]) -> dict[int, str]:
        rng, country_of = self.rng, {}
        profiles = []
        ids = self.db.ids(ContributorProfile, len(user_ids))
        for pk, user_id in zip(ids, user_ids, strict=True):
            country = _weighted(rng, self.countries)
            country_of[user_id] = country
            attests = rng.random() < 0.2
            profiles.append(
                ContributorProfile(
                    id=pk,
                    user_id=user_id,
                    country_of_residence=country,
                    timezone=TIMEZONES.get(country, "UTC"),
                    date_of_birth=None
                    if attests
                    else self.today - timedelta(days=rng.randint(19 * 366, 34 * 365)),
                    attests_minimum_age=attests,
                    is_student=rng.random() < 0.8,
                    is_beginner=True,
                    opencollective_slug=f"contributor-{user_id}",
                )
            )
        self.db.load(ContributorProfile, profiles)
        return country_of

    # Programs ----------------------------------------------------------------------------

    def program(self, slug, kind, name, year, milestones, **values) -> Program:
        program = Program(
            slug=slug,
            kind=kind,
            name=name,
            series="gsoc" if kind == ProgramKind.CODING else "sod",
            year=year,
            tagline=f"{name}: benchmark data at ten times GSoC 2024",
            opencollective_collective=f"{slug}-fund",
            opencollective_host="bench-host",
            **values,
        )
        program.full_clean()
        program.save()
        Milestone.objects.bulk_create(
            Milestone(program=program, kind=kind, sequence=seq, starts_at=start, ends_at=end)
            for kind, seq, start, end in milestones
        )
        ProgramManager.objects.create(program=program, user_id=self.manager_id)
        return program

    def forms(self, program, pairs) -> dict:
        forms = {}
        for kind, side in pairs:
            forms[(kind, side)] = EvaluationForm.objects.create(
                program=program,
                kind=kind,
                side=side,
                version=1,
                questions=DEFAULT_QUESTIONS[(kind, side)],
            ).pk
        return forms

    def participations(self, program, org_ids, **values) -> list[int]:
        ids = self.db.ids(Participation, len(org_ids))
        rows = [
            Participation(
                id=pk,
                organization_id=org,
                program_id=program.pk,
                status=ParticipationStatus.ACCEPTED,
                applied_at=values.get("applied_at", self.now),
                decided_at=values.get("decided_at"),
                decided_by_id=self.manager_id,
                ideas_list_url=f"https://org-{org}.{DOMAIN}/ideas",
                slots_requested=values.get("slots", {}).get(org),
                slots_allocated=values.get("slots", {}).get(org),
                budget_requested=values.get("budgets", {}).get(org),
            )
            for pk, org in zip(ids, org_ids, strict=True)
        ]
        self.db.load(Participation, rows)
        return list(ids)

    def memberships(self, pairs) -> None:
        """pairs: (participation id, user id, role)."""
        ids = self.db.ids(Membership, len(pairs))
        self.db.load(
            Membership,
            [
                Membership(id=pk, participation_id=p, user_id=u, role=r, created_at=self.now)
                for pk, (p, u, r) in zip(ids, pairs, strict=True)
            ],
        )

    def ideas(self, participation_ids, per_org, sizes) -> dict[int, list[tuple[int, int]]]:
        rng, ideas, by_part = self.rng, [], defaultdict(list)
        counts = [per_org(p) for p in participation_ids]
        ids = iter(self.db.ids(Idea, sum(counts)))
        for p, count in zip(participation_ids, counts, strict=True):
            for _ in range(count):
                pk, size = next(ids), _weighted(rng, sizes)
                w1, w2 = rng.sample(WORDS, 2)
                ideas.append(
                    Idea(
                        id=pk,
                        participation_id=p,
                        title=f"Improve the {w1} {w2} ({pk})",
                        description=PARAGRAPH.format(w1=w1, w2=w2) * 3,
                        size=size,
                        skills=", ".join(rng.sample(SKILLS, 2)),
                        created_by_id=self.admin_of_part.get(p),
                    )
                )
                by_part[p].append((pk, size))
        self.db.load(Idea, ideas)
        return by_part

    # The build ---------------------------------------------------------------------------

    def run(self) -> dict:
        started = time.perf_counter()
        n = self.n
        self.manager_id = self.users([MANAGER_EMAIL])[0]
        get_user_model().objects.filter(pk=self.manager_id).update(is_staff=True)

        orgs = self.organizations(n["orgs"])
        self.org_ids = orgs
        self.org_slug = {pk: f"bench-org-{i:04d}" for i, pk in enumerate(orgs)}
        admins = self.users([f"admin-{i:04d}@{DOMAIN}" for i in range(n["orgs"])])
        self.admin_of_org = dict(zip(orgs, admins, strict=True))
        mentors = self.users([f"mentor-{i:05d}@{DOMAIN}" for i in range(n["mentors"])])
        contributors = self.users(
            [f"contributor-{i:05d}@{DOMAIN}" for i in range(n["contributors"])]
        )
        country_of = self.contributor_profiles(contributors)

        self.coding_program(orgs, mentors, contributors, country_of)
        self.spike_program(orgs, contributors)
        self.docs_programs(orgs)
        self.db.finish()
        program_phases_advance(now=self.now)
        self.out["counts"] = dict(self.db.loaded)
        self.out["load_seconds"] = {k: round(v, 1) for k, v in self.db.seconds.items() if v >= 0.5}
        self.out["seconds"] = round(time.perf_counter() - started, 1)
        return self.out

    def organizations(self, count: int) -> list[int]:
        ids = self.db.ids(Organization, count)
        rng = self.rng
        rows = []
        for i, pk in enumerate(ids):
            w1, w2 = rng.sample(WORDS, 2)
            rows.append(
                Organization(
                    id=pk,
                    name=f"Bench Org {i:04d}",
                    slug=f"bench-org-{i:04d}",
                    tagline=f"Open-source {w1} and {w2} tools",
                    website=f"https://org-{i}.{DOMAIN}/",
                    description=PARAGRAPH.format(w1=w1, w2=w2) * 4,
                    opencollective_slug=f"bench-org-{i:04d}",
                    created_at=self.now - timedelta(days=400),
                )
            )
        self.db.load(Organization, rows)
        return list(ids)

    # The 10x coding program, in its coding period ------------------------------------------

    def coding_timeline(self):
        # Coding began 80 days ago: 8- and 10-week projects are over, most midterms are behind,
        # the 12-week projects' final week is open and 22-week projects are at their midterm.
        start = _at(self.today - timedelta(days=80))
        day = lambda n: start + timedelta(days=n)  # noqa: E731
        self.coding_start = start
        return [
            (K.ORG_APPLICATIONS, 1, day(-126), day(-111)),
            (K.ORGS_ANNOUNCED, 1, None, day(-96)),
            (K.CONTRIBUTOR_APPLICATIONS, 1, day(-70), day(-55)),
            (K.RANKING_DUE, 1, None, day(-32)),
            (K.CONTRIBUTORS_ANNOUNCED, 1, None, day(-25)),
            (K.COMMUNITY_BONDING, 1, day(-25), day(-1)),
            (K.CODING, 1, day(0), day(84)),
            (K.MIDTERM_EVALUATIONS, 1, day(42), day(49)),
            (K.FINAL_WORK_SUBMISSION, 1, day(77), day(84)),
            (K.MENTOR_FINAL_EVALUATIONS, 1, day(84), day(91)),
            (K.RESULTS, 1, None, day(92)),
            (K.EXTENDED_CODING, 1, day(92), day(154)),
            (K.EXTENDED_EVALUATIONS, 1, day(154), day(161)),
        ]

    def coding_program(self, orgs, mentors, contributors, country_of):
        rng, n = self.rng, self.n
        timeline = self.coding_timeline()
        program = self.program(
            CODING_SLUG,
            ProgramKind.CODING,
            "Summer of Code 10x",
            self.today.year,
            timeline,
            excluded_countries=EXCLUDED,
            total_slots=n["projects"],
        )
        self.out["coding_program"] = program.slug
        window = next(m for m in timeline if m[0] == K.CONTRIBUTOR_APPLICATIONS)
        announced = next(m for m in timeline if m[0] == K.CONTRIBUTORS_ANNOUNCED)[3]
        CountryFactor.objects.bulk_create(
            CountryFactor(program=program, country=c, factor=Decimal(f)) for c, f in FACTORS.items()
        )
        forms = self.forms(
            program,
            [
                (EvaluationKind.MIDTERM, Side.MENTOR),
                (EvaluationKind.MIDTERM, Side.CONTRIBUTOR),
                (EvaluationKind.FINAL, Side.MENTOR),
                (EvaluationKind.FINAL, Side.CONTRIBUTOR),
            ],
        )

        # Organizations' popularity is skewed: a few get over a thousand proposals, most a few
        # dozen.
        order = orgs[:]
        rng.shuffle(order)
        weight = {org: 1 / (i + 10) ** 0.9 for i, org in enumerate(order)}
        parts = self.participations(program, orgs, applied_at=timeline[0][3])
        part_of = dict(zip(orgs, parts, strict=True))
        self.coding_part_of = part_of
        self.admin_of_part = {part_of[o]: self.admin_of_org[o] for o in orgs}

        # Mentors: every org at least two, the rest by popularity.
        mentors_of = defaultdict(list)
        for i, org in enumerate(orgs):
            mentors_of[org].append(mentors[2 * i % len(mentors)])
            mentors_of[org].append(mentors[(2 * i + 1) % len(mentors)])
        rest = mentors[2 * len(orgs) :]
        weights = [weight[o] for o in orgs]
        for mentor, org in zip(rest, rng.choices(orgs, weights=weights, k=len(rest)), strict=True):
            mentors_of[org].append(mentor)
        pairs = [(part_of[o], self.admin_of_org[o], Role.ORG_ADMIN) for o in orgs]
        pairs += [(part_of[o], m, Role.MENTOR) for o in orgs for m in dict.fromkeys(mentors_of[o])]
        self.memberships(pairs)
        self.mentors_of = mentors_of

        ideas = self.ideas(parts, lambda p: rng.randint(3, 8), SIZES)

        # Proposals: 1-3 per contributor (1.54 on average), each to a different organization.
        per_contributor = rng.choices([1, 2, 3], weights=[60, 26, 14], k=len(contributors))
        total = sum(per_contributor)
        scale_to = n["proposals"] / total
        proposal_rows = []  # (contributor, org)
        for contributor, k in zip(contributors, per_contributor, strict=True):
            k = max(1, round(k * scale_to)) if scale_to < 0.9 else k
            chosen = set()
            while len(chosen) < min(k, 3):
                chosen.add(rng.choices(orgs, weights=weights)[0])
            proposal_rows += [(contributor, org) for org in chosen]
        rng.shuffle(proposal_rows)
        proposal_rows = proposal_rows[: n["proposals"]]
        # Every org needs proposals for its slots: give each org at least one.
        by_org = defaultdict(list)
        for i, (_, org) in enumerate(proposal_rows):
            by_org[org].append(i)

        # Slots in proportion to proposals, at least one per org.
        slots = {o: max(1, int(n["projects"] * len(by_org[o]) / len(proposal_rows))) for o in orgs}
        for o in sorted(orgs, key=lambda o: -len(by_org[o])):
            if sum(slots.values()) >= n["projects"]:
                break
            slots[o] += 1
        while sum(slots.values()) > n["projects"]:
            o = max(slots, key=slots.get)
            slots[o] -= 1
        Participation.objects.filter(pk__in=parts).update(decided_at=timeline[1][3])

        ids = list(self.db.ids(Proposal, len(proposal_rows)))
        accepted_contributors = set()
        status = {}
        rank = {}
        for o in orgs:
            taken = 0
            for i in by_org[o]:
                contributor = proposal_rows[i][0]
                if taken < slots[o] and contributor not in accepted_contributors:
                    accepted_contributors.add(contributor)
                    taken += 1
                    status[i] = ProposalStatus.ACCEPTED
                    rank[i] = taken
            slots[o] = taken
        rows = [
            Participation(
                pk=part_of[o],
                slots_requested=slots[o] + rng.randint(0, 3),
                slots_allocated=slots[o],
            )
            for o in orgs
        ]
        Participation.objects.bulk_update(
            rows, ["slots_requested", "slots_allocated"], batch_size=1000
        )

        receipts, mentorships, scores = [], [], []
        proposals = []
        slot_of = defaultdict(int)
        opened, closed = window[2], window[3]
        span = (closed - opened).total_seconds()
        spike_weight = lambda: rng.betavariate(5, 1)  # noqa: E731 — most near the deadline
        for i, (contributor, org) in enumerate(proposal_rows):
            pk, part = ids[i], part_of[org]
            st = status.get(i)
            if st is None:
                r = rng.random()
                st = (
                    ProposalStatus.DRAFT
                    if r < 0.02
                    else ProposalStatus.WITHDRAWN
                    if r < 0.04
                    else ProposalStatus.REJECTED
                )
            size = _weighted(rng, SIZES)
            org_ideas = ideas[part]
            idea = rng.choice(org_ideas) if org_ideas and rng.random() < 0.85 else None
            if idea:
                size = idea[1]
            weeks = _weighted(rng, LENGTHS[size])
            w1, w2 = rng.sample(WORDS, 2)
            submitted = st in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED)
            sub_at = opened + timedelta(seconds=span * spike_weight()) if submitted else None
            slot = None
            if submitted:
                slot_of[contributor] += 1
                slot = slot_of[contributor]
            proposal = Proposal(
                id=pk,
                program_id=program.pk,
                contributor_id=contributor,
                participation_id=part,
                idea_id=idea[0] if idea else None,
                title=f"{w1.capitalize()} and {w2} for {self.org_slug[org]}",
                abstract=f"Make the {w1} faster and the {w2} easier to use. " * 3,
                body=PARAGRAPH.format(w1=w1, w2=w2) * 4,
                size=size,
                length_weeks=weeks,
                preference=slot,
                status=st,
                submission_slot=slot,
                submitted_at=sub_at,
                revision=1,
                rank=rank.get(i),
                created_at=opened,
                updated_at=sub_at or opened,
            )
            if submitted:
                content = {
                    "program": program.slug,
                    "organization": self.org_slug[org],
                    "idea": proposal.idea_id,
                    "title": proposal.title,
                    "abstract": proposal.abstract,
                    "body": proposal.body,
                    "size": size,
                    "length_weeks": weeks,
                    "attachment_sha256": "",
                }
                proposal.content_digest = digest_of(content)
                receipts.append(
                    Receipt(
                        proposal_id=pk,
                        number=f"{program.slug.upper()}-{pk}-1",
                        submitted_at=sub_at,
                        digest=proposal.content_digest,
                        content=content,
                    )
                )
            proposals.append(proposal)
            org_mentors = mentors_of[org]
            if st == ProposalStatus.ACCEPTED or (submitted and rng.random() < 0.3):
                for m in dict.fromkeys(rng.choices(org_mentors, k=rng.choice([1, 1, 2]))):
                    mentorships.append((pk, m))
            if submitted and rng.random() < 0.5:
                scores.append((pk, rng.choice(org_mentors), rng.randint(1, 5)))
        # Proposal's auto_now would stamp "now": keep the times set above.
        self._load_keeping_times(Proposal, proposals)
        for pk, r in zip(self.db.ids(Receipt, len(receipts)), receipts, strict=True):
            r.id = pk
        self.db.load(Receipt, receipts)
        mentors_of_proposal = defaultdict(list)
        for p, m in mentorships:
            mentors_of_proposal[p].append(m)
        self.db.load(
            ProposalMentor,
            [
                ProposalMentor(id=pk, proposal_id=p, mentor_id=m)
                for pk, (p, m) in zip(
                    self.db.ids(ProposalMentor, len(mentorships)), mentorships, strict=True
                )
            ],
        )
        self.db.load(
            Score,
            [
                Score(id=pk, proposal_id=p, reviewer_id=m, value=v)
                for pk, (p, m, v) in zip(self.db.ids(Score, len(scores)), scores, strict=True)
            ],
        )
        regs = sorted({c for c, _ in proposal_rows})
        self.db.load(
            Registration,
            [
                Registration(id=pk, program_id=program.pk, user_id=c, registered_at=opened)
                for pk, c in zip(self.db.ids(Registration, len(regs)), regs, strict=True)
            ],
        )
        self.coding_contributors_with_proposals = set(regs)
        self.accepted_contributors = accepted_contributors

        # The reviewing mentor: an org with a realistic load, as near 120 proposals as there is.
        target = 120 if self.scale >= 0.5 else max(5, round(120 * self.scale * 10))
        review_org = min(orgs, key=lambda o: abs(len(by_org[o]) - target))
        reviewer = mentors_of[review_org][0]
        own = [ids[i] for i in by_org[review_org] if proposals[i].status != ProposalStatus.DRAFT]
        extra = [p for p in own[::3] if reviewer not in mentors_of_proposal[p]]
        self.db.load(
            ProposalMentor,
            [
                ProposalMentor(id=pk, proposal_id=p, mentor_id=reviewer)
                for pk, p in zip(self.db.ids(ProposalMentor, len(extra)), extra, strict=True)
            ],
        )
        self.out["mentor"] = {
            "email": get_user_model().objects.get(pk=reviewer).email,
            "org": self.org_slug[review_org],
            "program": program.slug,
            "proposals_in_org": len(by_org[review_org]),
        }

        # Accepted proposals become projects with their own dates.
        self.projects(
            program,
            proposals,
            status,
            ids,
            part_of,
            mentors_of_proposal,
            announced,
            forms,
            country_of,
            slots,
        )

    def _load_keeping_times(self, model, objects):
        """auto_now/auto_now_add fields keep the values set on the objects."""
        fields = [
            f
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
        for f in fields:
            f.auto_now = f.auto_now_add = False
        try:
            self.db.load(model, objects)
        finally:
            for f, now_, add in saved:
                f.auto_now, f.auto_now_add = now_, add

    def projects(
        self,
        program,
        proposals,
        status,
        ids,
        part_of,
        mentors_of_proposal,
        announced,
        forms,
        country_of,
        slots,
    ):
        rng, now = self.rng, self.now
        accepted = [p for p in proposals if p.status == ProposalStatus.ACCEPTED]
        project_ids = self.db.ids(Project, len(accepted))
        projects, project_mentors = [], []
        periods, evaluations, payouts, _history = [], [], [], []
        period_ids = iter(self.db.ids(EvaluationPeriod, 4 * len(accepted)))
        start = self.coding_start
        stipend_cache = {}
        ended_by_part = defaultdict(lambda: [0, 0])  # participation -> [active, passed]

        def filed_time(opens, closes, until=None):
            end = min(closes, until or closes, now)
            return opens + (end - opens) * rng.uniform(0.05, 0.95)

        for pk, proposal in zip(project_ids, accepted, strict=True):
            ends = start + timedelta(weeks=proposal.length_weeks)
            project = Project(
                id=pk,
                proposal_id=proposal.pk,
                participation_id=proposal.participation_id,
                contributor_id=proposal.contributor_id,
                title=proposal.title,
                size=proposal.size,
                length_weeks=proposal.length_weeks,
                coding_starts_at=start,
                coding_ends_at=ends,
                accepted_at=announced,
                announced_at=announced,
            )
            project_mentors += [(pk, m) for m in mentors_of_proposal[proposal.pk]]
            mentor = mentors_of_proposal[proposal.pk][0]
            windows = project_period_windows(starts_at=start, ends_at=ends, window_days=7)
            evals = {}  # (kind, side) -> (time, passed)
            end = None  # (time, passed, reason)

            def closed(closes):
                return closes < now - MISSED_GRACE

            # Midterm: both sides share a window.
            m_opens, m_closes = windows[0][2], windows[0][3]
            if closed(m_closes):
                r = rng.random()
                tc, tm = sorted([filed_time(m_opens, m_closes), filed_time(m_opens, m_closes)])
                if r < 0.02:
                    evals[("midterm", "contributor")] = (tc, None)
                    end = (m_closes, False, "missed the midterm (mentor side)")
                elif r < 0.04:
                    evals[("midterm", "mentor")] = (tm, True)
                    end = (m_closes, False, "missed the midterm (contributor side)")
                elif r < 0.07:
                    evals[("midterm", "contributor")] = (tc, None)
                    evals[("midterm", "mentor")] = (tm, False)
                    end = (tm, False, "failed the midterm")
                else:
                    evals[("midterm", "contributor")] = (tc, None)
                    evals[("midterm", "mentor")] = (tm, True)
            elif m_opens <= now:
                if rng.random() < 0.5:
                    evals[("midterm", "contributor")] = (filed_time(m_opens, m_closes), None)
                if rng.random() < 0.5:
                    evals[("midterm", "mentor")] = (filed_time(m_opens, m_closes), True)
            # Final: the contributor in the last week, then the mentor.
            c_opens, c_closes = windows[2][2], windows[2][3]
            f_opens, f_closes = windows[3][2], windows[3][3]
            if end is None and c_opens <= now:
                if closed(c_closes):
                    if rng.random() < 0.97:
                        evals[("final", "contributor")] = (filed_time(c_opens, c_closes), None)
                    else:
                        end = (c_closes, False, "missed the final (contributor side)")
                elif rng.random() < 0.4:
                    evals[("final", "contributor")] = (filed_time(c_opens, c_closes), None)
            if end is None and f_opens <= now and ("final", "contributor") in evals:
                r = rng.random()
                if closed(f_closes):
                    if r < 0.03:
                        end = (f_closes, False, "missed the final (mentor side)")
                    else:
                        tm = filed_time(f_opens, f_closes)
                        evals[("final", "mentor")] = (tm, r > 0.06)
                        end = (tm, r > 0.06, "passed the final" if r > 0.06 else "failed the final")
                elif r < 0.5:
                    tm = filed_time(f_opens, f_closes)
                    evals[("final", "mentor")] = (tm, True)
                    end = (tm, True, "passed the final")
            elif end is None and closed(f_closes):
                # The contributor's final is still open or was filed late: cannot happen here.
                pass
            if end is not None:
                project.status = "passed" if end[1] else "failed"
                project.ended_at, project.end_reason = end[0], end[2]
            counts = ended_by_part[proposal.participation_id]
            if project.status == "active":
                counts[0] += 1
            elif project.status == "passed":
                counts[1] += 1
            projects.append(project)

            for kind, side, opens, closes in windows:
                period_id = next(period_ids)
                filed = evals.get((kind, side))
                if filed:
                    st = PeriodStatus.SUBMITTED
                elif closed(closes):
                    st = PeriodStatus.MISSED
                elif opens <= now:
                    st = PeriodStatus.OPEN
                else:
                    st = PeriodStatus.UPCOMING
                periods.append(
                    EvaluationPeriod(
                        id=period_id,
                        project_id=pk,
                        participation_id=proposal.participation_id,
                        kind=kind,
                        side=side,
                        opens_at=opens,
                        closes_at=closes,
                        status=st,
                    )
                )
                if filed:
                    at, passed = filed
                    evaluations.append(
                        self._evaluation(
                            period_id,
                            forms[(kind, side)],
                            kind,
                            side,
                            mentor if side == Side.MENTOR else proposal.contributor_id,
                            at,
                            passed,
                            pk,
                        )
                    )

            # Payouts the job has created by now: after a passed midterm with both sides in,
            # and after a passed project.
            key = (proposal.size, country_of[proposal.contributor_id])
            if key not in stipend_cache:
                base = Decimal(program.stipend_base[str(proposal.size)])
                factor = clamp(
                    Decimal(FACTORS.get(key[1], "1")),
                    program.stipend_factor_floor,
                    program.stipend_factor_ceiling,
                )
                total = to_cents(base * factor)
                mid, fin = split(
                    total, [program.midterm_payout_percent, program.final_payout_percent]
                )
                stipend_cache[key] = {
                    PayMilestone.CODING_MIDTERM: mid,
                    PayMilestone.CODING_FINAL: fin,
                }
            due = []
            mc, mm = evals.get(("midterm", "contributor")), evals.get(("midterm", "mentor"))
            if mc and mm and mm[1]:
                due.append((PayMilestone.CODING_MIDTERM, max(mc[0], mm[0])))
            if project.status == "passed":
                due.append((PayMilestone.CODING_FINAL, project.ended_at))
            for milestone, reached in due:
                payouts.append(
                    {
                        "reference": f"SEASONS-{program.slug}-{milestone}-P{pk}".upper(),
                        "program_id": program.pk,
                        "participation_id": proposal.participation_id,
                        "project_id": pk,
                        "payee_id": proposal.contributor_id,
                        "milestone": milestone,
                        "amount": stipend_cache[key][milestone],
                        "currency": program.currency,
                        "description": f"{PayMilestone(milestone).label}: {proposal.title}",
                        "expense_type": ExpenseType.INVOICE,
                        "collective_slug": program.opencollective_collective,
                        "host_slug": program.opencollective_host,
                        "payee_slug": f"contributor-{proposal.contributor_id}",
                        "payout_method_type": "BANK_ACCOUNT",
                        "created_at": reached + timedelta(minutes=5),
                    }
                )

        self.db.load(Project, projects)
        through = Project.mentors.through
        self.db.load(
            through,
            [
                through(id=i, project_id=p, user_id=m)
                for i, (p, m) in zip(
                    self.db.ids(through, len(project_mentors)), project_mentors, strict=True
                )
            ],
        )
        self.db.load(EvaluationPeriod, periods)
        for pk, e in zip(self.db.ids(Evaluation, len(evaluations)), evaluations, strict=True):
            e.id = pk
        self.db.load(Evaluation, evaluations)

        # Organization stipends of orgs whose projects have all ended, with one passed or more.
        program_row = program
        for part, (active, passed) in ended_by_part.items():
            if active == 0 and passed > 0:
                payouts.append(
                    {
                        "reference": f"SEASONS-{program.slug}-{PayMilestone.ORG_STIPEND}-O{part}".upper(),
                        "program_id": program.pk,
                        "participation_id": part,
                        "project_id": None,
                        "payee_id": None,
                        "milestone": PayMilestone.ORG_STIPEND,
                        "amount": to_cents(program_row.org_stipend_per_contributor * passed),
                        "currency": program.currency,
                        "description": f"Organization stipend: {passed} contributor(s)",
                        "expense_type": ExpenseType.INVOICE,
                        "collective_slug": program.opencollective_collective,
                        "host_slug": program.opencollective_host,
                        "payee_slug": self.org_slug[self._org_of_part(part)],
                        "payout_method_type": "OTHER",
                        "created_at": now - timedelta(days=1),
                    }
                )
        self.payouts(payouts)
        self.out["projects"] = len(projects)

    def _org_of_part(self, part):
        if not hasattr(self, "_orgs_by_part"):
            self._orgs_by_part = {p: o for o, p in self.coding_part_of.items()}
        return self._orgs_by_part[part]

    def _evaluation(self, period_id, form_id, kind, side, by, at, passed, project_id):
        if side == Side.MENTOR:
            answers = {"grade": "pass" if passed else "fail", "progress": "Steady progress."}
        elif side == Side.CONTRIBUTOR:
            answers = {"mentor_rating": str(self.rng.randint(3, 5)), "feedback": "Helpful reviews."}
            if kind == EvaluationKind.FINAL:
                answers["work_url"] = f"https://code.{DOMAIN}/project-{project_id}"
        else:
            answers = {"status": passed, "summary": "Drafts of two guides are in review."}
        return Evaluation(
            period_id=period_id,
            form_id=form_id,
            filed_by_id=by,
            submitted_at=at,
            answers=answers,
            passed=passed if side == Side.MENTOR else None,
            status=answers.get("status", "") if side == Side.ORG_ADMIN else "",
            work_url=answers.get("work_url", ""),
        )

    def payouts(self, rows: list[dict]) -> None:
        """Each payout with the history the workflow would have left: drafted by the job,
        submitted and approved by the manager, pushed to OpenCollective (linked), paid by the
        host a while later. Most midterm payouts are approved and awaiting the host."""
        rng, now = self.rng, self.now
        ids = self.db.ids(Payout, len(rows))
        payouts, history = [], []
        for pk, row in zip(ids, rows, strict=True):
            created = row["created_at"]
            age = now - created
            r = rng.random()
            steps = [(PayoutStatus.DRAFT, created, None, "milestone reached")]
            if age > timedelta(days=2) or r < 0.5:
                steps.append((PayoutStatus.PENDING, created + (age / 4), self.manager_id, ""))
                if age > timedelta(days=3) and r < 0.97:
                    steps.append((PayoutStatus.APPROVED, created + (age / 3), self.manager_id, ""))
                    # The host pays within weeks: last season's grants are all paid.
                    if (r < 0.06 and age > timedelta(days=5)) or age > timedelta(days=60):
                        steps.append(
                            (PayoutStatus.PAID, created + age / 2, None, "OpenCollective: PAID")
                        )
            status = steps[-1][0]
            linked = status in (PayoutStatus.APPROVED, PayoutStatus.PAID)
            payouts.append(
                Payout(
                    id=pk,
                    status=status,
                    oc_expense_id=f"bx{pk:010d}" if linked else None,
                    oc_legacy_id=500000 + pk if linked else None,
                    last_synced_at=now - timedelta(hours=1) if linked else None,
                    paid_at=steps[-1][1] if status == PayoutStatus.PAID else None,
                    **row,
                )
            )
            previous = ""
            for to, at, by, reason in steps:
                history.append(
                    PayoutStatusChange(
                        payout_id=pk,
                        from_status=previous,
                        to_status=to,
                        by_id=by,
                        at=at,
                        reason=reason,
                    )
                )
                previous = to
        self.db.load(Payout, payouts)
        for pk, h in zip(self.db.ids(PayoutStatusChange, len(history)), history, strict=True):
            h.id = pk
        self.db.load(PayoutStatusChange, history)
        self.out.setdefault("payouts", 0)
        self.out["payouts"] += len(payouts)

    # The spike: a coding program whose application window is open --------------------------

    def spike_program(self, orgs, contributors):
        rng, n = self.rng, self.n
        today = self.today
        day = lambda d: _at(today + timedelta(days=d))  # noqa: E731
        timeline = [
            (K.ORG_APPLICATIONS, 1, day(-60), day(-45)),
            (K.ORGS_ANNOUNCED, 1, None, day(-30)),
            (K.CONTRIBUTOR_APPLICATIONS, 1, day(-12), day(3)),
            (K.RANKING_DUE, 1, None, day(26)),
            (K.CONTRIBUTORS_ANNOUNCED, 1, None, day(33)),
            (K.COMMUNITY_BONDING, 1, day(33), day(57)),
            (K.CODING, 1, day(58), day(142)),
            (K.MIDTERM_EVALUATIONS, 1, day(100), day(107)),
            (K.FINAL_WORK_SUBMISSION, 1, day(135), day(142)),
            (K.MENTOR_FINAL_EVALUATIONS, 1, day(142), day(149)),
            (K.RESULTS, 1, None, day(150)),
        ]
        program = self.program(
            SPIKE_SLUG,
            ProgramKind.CODING,
            "Summer of Code spike",
            today.year + 1,
            timeline,
            excluded_countries=EXCLUDED,
        )
        opened = timeline[2][2]
        spike_orgs = orgs[: n["spike_orgs"]] if n["spike_orgs"] < len(orgs) else orgs
        parts = self.participations(
            program, spike_orgs, slots=dict.fromkeys(spike_orgs, 10), decided_at=timeline[1][3]
        )
        self.admin_of_part.update(
            {p: self.admin_of_org[o] for o, p in zip(spike_orgs, parts, strict=True)}
        )
        pairs = [
            (p, self.admin_of_org[o], Role.ORG_ADMIN)
            for o, p in zip(spike_orgs, parts, strict=True)
        ]
        pairs += [
            (p, m, Role.MENTOR)
            for o, p in zip(spike_orgs, parts, strict=True)
            for m in dict.fromkeys(self.mentors_of[o][:4])
        ]
        self.memberships(pairs)
        ideas = self.ideas(parts, lambda p: 5, SIZES)

        # Proposals already in: from this season's earlier applicants (not the spike accounts).
        others = [c for c in contributors if c not in self.accepted_contributors]
        rng.shuffle(others)
        applicants = others[: max(1, n["spike_proposals"] // 2)]
        rows, slot_of = [], defaultdict(int)
        for c in applicants:
            for part in rng.sample(parts, min(len(parts), rng.choice([1, 2, 3]))):
                rows.append((c, part))
        rows = rows[: n["spike_proposals"]]
        ids = self.db.ids(Proposal, len(rows))
        org_of_part = {p: o for o, p in zip(spike_orgs, parts, strict=True)}
        proposals, receipts = [], []
        for pk, (c, part) in zip(ids, rows, strict=True):
            idea = rng.choice(ideas[part])
            slot_of[c] += 1
            at = opened + (self.now - opened) * rng.uniform(0, 1)
            p = Proposal(
                id=pk, program_id=program.pk, contributor_id=c, participation_id=part, idea_id=idea[0],
                title=f"Spike proposal {pk}", abstract="A plan in three phases. " * 4,
                body=PARAGRAPH.format(w1="cache", w2="index") * 4, size=idea[1], length_weeks=12,
                preference=slot_of[c], status=ProposalStatus.SUBMITTED, submission_slot=slot_of[c],
                submitted_at=at, revision=1, created_at=at, updated_at=at,
            )  # fmt: skip
            content = {
                "program": program.slug, "organization": self.org_slug[org_of_part[part]], "idea": idea[0], "title": p.title,
                "abstract": p.abstract, "body": p.body, "size": p.size, "length_weeks": 12,
                "attachment_sha256": "",
            }  # fmt: skip
            p.content_digest = digest_of(content)
            proposals.append(p)
            receipts.append(
                Receipt(
                    proposal_id=pk,
                    number=f"{program.slug.upper()}-{pk}-1",
                    submitted_at=at,
                    digest=p.content_digest,
                    content=content,
                )
            )
        self._load_keeping_times(Proposal, proposals)
        for pk, r in zip(self.db.ids(Receipt, len(receipts)), receipts, strict=True):
            r.id = pk
        self.db.load(Receipt, receipts)

        # The spike's own accounts: eligible, registered, no proposal yet.
        spike = self.users([SPIKE_EMAIL.format(i) for i in range(n["spike_contributors"])])
        self.contributor_profiles(spike)
        registered = sorted(set(applicants) | set(spike))
        self.db.load(
            Registration,
            [
                Registration(
                    id=pk,
                    program_id=program.pk,
                    user_id=c,
                    registered_at=opened + timedelta(hours=1),
                )
                for pk, c in zip(
                    self.db.ids(Registration, len(registered)), registered, strict=True
                )
            ],
        )
        self.out["spike"] = {
            "program": program.slug,
            "closes_at": timeline[2][3].isoformat(),
            "contributors": len(spike),
            "email_pattern": SPIKE_EMAIL.replace("{:05d}", "NNNNN"),
            "emails": [SPIKE_EMAIL.format(i) for i in range(len(spike))],
            "orgs": [self.org_slug[o] for o in spike_orgs],
            "ideas": sum(len(v) for v in ideas.values()),
            "proposals_already": len(proposals),
        }

    # Docs programs: one finished last year (case studies), one in doc development now -----

    def docs_programs(self, orgs):
        rng, n = self.rng, self.n
        writers_count = n["writers"]
        writer_ids = self.users([f"writer-{i:04d}@{DOMAIN}" for i in range(writers_count)])
        self.db.load(
            WriterProfile,
            [
                WriterProfile(
                    id=pk,
                    user_id=u,
                    display_name=f"Writer {i:04d}",
                    headline="Technical writer",
                    bio="I write tutorials and reference docs.",
                    country_of_residence=_weighted(rng, self.countries),
                    skills=["markdown", "sphinx"],
                    portfolio_links=[f"https://w{i}.{DOMAIN}/"],
                    opencollective_slug=f"writer-{u}",
                )
                for pk, i, u in zip(
                    self.db.ids(WriterProfile, writers_count),
                    range(writers_count),
                    writer_ids,
                    strict=True,
                )
            ],
        )
        docs_orgs = orgs[-n["docs_orgs"] :]
        for slug, finished in ((DOCS_PREV_SLUG, True), (DOCS_SLUG, False)):
            self.docs_program(slug, finished, docs_orgs, writer_ids)

    def docs_program(self, slug, finished, docs_orgs, writer_ids):
        rng, now = self.rng, self.now
        # The current season hired its writers 68 days ago (its second monthly evaluation is
        # open); last year's season ended with accepted case studies.
        hiring = _at(self.today - timedelta(days=68 + (365 if finished else 0)))
        day = lambda d: hiring + timedelta(days=d)  # noqa: E731
        monthly = [(i, day(30 * i + 5), day(30 * i + 12)) for i in range(1, 6)]
        timeline = [
            (K.ORG_APPLICATIONS, 1, day(-84), day(-47)),
            (K.ORGS_ANNOUNCED, 1, None, day(-40)),
            (K.WRITER_APPLICATIONS, 1, day(-40), day(0)),
            (K.HIRING_DEADLINE, 1, None, day(0)),
            (K.DOC_DEVELOPMENT, 1, day(-40), day(180)),
            *[(K.MONTHLY_EVALUATION, i, s, e) for i, s, e in monthly],
            (K.CASE_STUDY, 1, day(180), day(195)),
            (K.RESULTS, 1, None, day(209)),
        ]
        year = self.today.year - (1 if finished else 0)
        name = f"Season of Docs 10x{' (last year)' if finished else ''}"
        program = self.program(slug, ProgramKind.DOCS, name, year, timeline)
        forms = self.forms(program, [(EvaluationKind.MONTHLY, Side.ORG_ADMIN)])
        budgets = {o: Decimal(rng.choice(["8000", "10000", "12000", "15000"])) for o in docs_orgs}
        parts = self.participations(program, docs_orgs, budgets=budgets, decided_at=timeline[1][3])
        self.memberships(
            [
                (p, self.admin_of_org[o], Role.ORG_ADMIN)
                for o, p in zip(docs_orgs, parts, strict=True)
            ]
        )
        submitted = timeline[0][3] - timedelta(days=1)
        proposals, items = [], []
        for pk, o, p in zip(self.db.ids(DocProposal, len(parts)), docs_orgs, parts, strict=True):
            proposals.append(
                DocProposal(
                    id=pk,
                    participation_id=p,
                    title=f"Docs for {self.org_slug[o]}",
                    problem="Newcomers cannot find the API reference.",
                    scope="Guides and a tutorial.",
                    status=DocProposalStatus.SUBMITTED,
                    submitted_at=submitted,
                )
            )
            writer_part = budgets[o] - Decimal("600")
            items += [
                (pk, 1, BudgetKind.TECHNICAL_WRITER, "Technical writer", writer_part),
                (pk, 2, BudgetKind.VOLUNTEER_STIPEND, "Volunteer stipend", Decimal("450")),
                (pk, 3, BudgetKind.SWAG, "T-shirts", Decimal("150")),
            ]
        self.db.load(DocProposal, proposals)
        self.db.load(
            BudgetItem,
            [
                BudgetItem(id=i, proposal_id=p, position=pos, kind=k, description=d, amount=a)
                for i, (p, pos, k, d, a) in zip(
                    self.db.ids(BudgetItem, len(items)), items, strict=True
                )
            ],
        )
        # Statements of interest (current season), hires, monthly periods and evaluations.
        admin_of = {p: self.admin_of_org[o] for o, p in zip(docs_orgs, parts, strict=True)}
        if not finished:
            pairs = set()
            while len(pairs) < min(self.n["statements"], len(writer_ids) * len(parts)):
                pairs.add((rng.choice(parts), rng.choice(writer_ids)))
            pairs = sorted(pairs)
            self.db.load(
                StatementOfInterest,
                [
                    StatementOfInterest(
                        id=i,
                        participation_id=p,
                        writer_id=w,
                        message="I would love to write your guides.",
                        sent_at=day(-rng.randint(1, 39)),
                    )
                    for i, (p, w) in zip(
                        self.db.ids(StatementOfInterest, len(pairs)), pairs, strict=True
                    )
                ],
            )
        hires = []
        for p in parts:
            for w in rng.sample(writer_ids, rng.choice([1, 1, 2])):
                hires.append(
                    Hire(
                        participation_id=p,
                        writer_id=w,
                        agreed_hours=300,
                        hours_per_week=15,
                        compensation=Decimal("7000"),
                        hired_at=day(-rng.randint(1, 10)),
                        hired_by_id=admin_of[p],
                    )
                )
        for i, h in zip(self.db.ids(Hire, len(hires)), hires, strict=True):
            h.id = i
        self.db.load(Hire, hires)
        periods, evaluations = [], []
        for p in parts:
            for seq, opens, closes in monthly:
                pid = self.db.ids(EvaluationPeriod, 1)[0]
                filed = None
                if closes < now - MISSED_GRACE:
                    filed = rng.random() < 0.95
                elif opens <= now:
                    filed = rng.random() < 0.4
                if filed:
                    st = PeriodStatus.SUBMITTED
                    at = opens + (min(closes, now) - opens) * rng.uniform(0.1, 0.9)
                    evaluations.append(
                        self._evaluation(
                            pid,
                            forms[(EvaluationKind.MONTHLY, Side.ORG_ADMIN)],
                            "monthly",
                            Side.ORG_ADMIN,
                            admin_of[p],
                            at,
                            rng.choice(["on_track"] * 8 + ["concerns"]),
                            None,
                        )
                    )
                elif closes < now - MISSED_GRACE:
                    st = PeriodStatus.MISSED
                elif opens <= now:
                    st = PeriodStatus.OPEN
                else:
                    st = PeriodStatus.UPCOMING
                periods.append(
                    EvaluationPeriod(
                        id=pid,
                        participation_id=p,
                        kind=EvaluationKind.MONTHLY,
                        side=Side.ORG_ADMIN,
                        sequence=seq,
                        opens_at=opens,
                        closes_at=closes,
                        status=st,
                    )
                )
        self.db.load(EvaluationPeriod, periods)
        for pk, e in zip(self.db.ids(Evaluation, len(evaluations)), evaluations, strict=True):
            e.id = pk
        self.db.load(Evaluation, evaluations)
        payouts = []
        hire_at = {h.participation_id: h.hired_at for h in hires}
        org_of = dict(zip(parts, docs_orgs, strict=True))
        for p in parts:
            hire_part, final_part = split(
                budgets[org_of[p]],
                [program.hire_payout_percent, program.final_grant_payout_percent],
            )
            due = [(PayMilestone.GRANT_HIRE, hire_part, hire_at[p])]
            if finished:
                due.append((PayMilestone.GRANT_FINAL, final_part, day(193)))
            for milestone, amount, at in due:
                payouts.append(
                    {
                        "reference": f"SEASONS-{program.slug}-{milestone}-O{p}".upper(),
                        "program_id": program.pk,
                        "participation_id": p,
                        "project_id": None,
                        "payee_id": None,
                        "milestone": milestone,
                        "amount": amount,
                        "currency": program.currency,
                        "description": f"{PayMilestone(milestone).label}: {self.org_slug[org_of[p]]}",
                        "expense_type": ExpenseType.GRANT,
                        "collective_slug": program.opencollective_collective,
                        "host_slug": program.opencollective_host,
                        "payee_slug": self.org_slug[org_of[p]],
                        "payout_method_type": "OTHER",
                        "created_at": at + timedelta(minutes=5),
                    }
                )
        if finished:
            studies = []
            for pk, p in zip(self.db.ids(CaseStudy, len(parts)), parts, strict=True):
                studies.append(
                    CaseStudy(
                        id=pk,
                        participation_id=p,
                        writers_count=1,
                        project_hours=310,
                        budget_amount=budgets[org_of[p]],
                        percent_complete=rng.randint(60, 100),
                        problem="Newcomers gave up before their first build.",
                        outcomes="A new guide.",
                        status=CaseStudyStatus.ACCEPTED,
                        submitted_at=day(190),
                        reviewed_at=day(194),
                        reviewed_by_id=self.manager_id,
                    )
                )
            self.db.load(CaseStudy, studies)
            deliverables = [
                (s.id, pos, f"Deliverable {pos}", rng.randint(50, 100))
                for s in studies
                for pos in (1, 2, 3)
            ]
            self.db.load(
                Deliverable,
                [
                    Deliverable(id=i, case_study_id=s, position=pos, title=t, percent_complete=pc)
                    for i, (s, pos, t, pc) in zip(
                        self.db.ids(Deliverable, len(deliverables)), deliverables, strict=True
                    )
                ],
            )
            lessons = [
                (s.id, k) for s in studies for k in (LessonKind.WENT_WELL, LessonKind.TO_IMPROVE)
            ]
            self.db.load(
                Lesson,
                [
                    Lesson(
                        id=i,
                        case_study_id=s,
                        kind=k,
                        topic="Communication",
                        what_we_did="Weekly calls.",
                        lesson="Short check-ins beat long reviews.",
                    )
                    for i, (s, k) in zip(self.db.ids(Lesson, len(lessons)), lessons, strict=True)
                ],
            )
        self.payouts(payouts)


def build(*, scale: float = 1.0, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    with transaction.atomic():
        return Builder(scale=scale, now=now).run()
