"""Aggregate statistics of one program, computed in SQL.

`program_statistics()` runs a fixed number of aggregate queries whatever the program's size and
returns plain JSON data (counts as ints, money and rates as strings); reports/disclosure.py's
`public_view()` makes it safe to publish.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from programs.models import Participation, ParticipationStatus, Program, Role
from reports.models import ArchivedProject

SCHEMA = 1


UNKNOWN_COUNTRY = "unknown"
# Proposal states that mean "was submitted": withdrawn proposals no longer count as applications.
SUBMITTED_STATES = ("submitted", "accepted", "rejected")


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _rate(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def program_statistics(*, program: Program) -> dict:
    """Every published figure of the program, from its source rows, as JSON-ready data."""
    data = {
        "schema": SCHEMA,
        "program": {
            "slug": program.slug,
            "name": program.name,
            "series": program.series,
            "year": program.year,
            "kind": program.kind,
            "currency": program.currency,
        },
    }
    if program.is_coding:
        data["coding"] = _coding(program)
    else:
        data["docs"] = _docs(program)
    return data


def _organizations(program: Program) -> dict:
    accepted = Q(status=ParticipationStatus.ACCEPTED)
    earlier = Participation.objects.filter(
        organization=OuterRef("organization"),
        program__series=program.series,
        program__year__lt=program.year,
        status=ParticipationStatus.ACCEPTED,
    )
    return program.participations.aggregate(
        applied=Count("pk"),
        accepted=Count("pk", filter=accepted),
        new=Count("pk", filter=accepted & ~Exists(earlier)),
    )


def _payouts(program: Program) -> dict:
    from payments.models import PayoutStatus

    rows = (
        program.payouts.filter(status=PayoutStatus.PAID)
        .values("currency", "milestone")
        .annotate(count=Count("pk"), sum=Sum("amount"))
        .order_by("currency", "milestone")
    )
    payouts: dict = {}
    for row in rows:
        payouts.setdefault(row["currency"], {})[row["milestone"]] = {
            "count": row["count"],
            "sum": _money(row["sum"]),
        }
    return payouts


def _count_per_participation(queryset):
    counts = (
        queryset.filter(participation=OuterRef("pk"))
        .order_by()
        .values("participation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def _coding(program: Program) -> dict:
    from applications.models import Project, Proposal
    from evaluations.models import Evaluation, Side
    from programs.models import Membership

    country = "contributor__contributor_profile__country_of_residence"
    proposals = Proposal.objects.filter(program=program, status__in=SUBMITTED_STATES)
    projects = Project.objects.filter(participation__program=program)

    # The total and the number of countries follow from the breakdown by country, so only the
    # applicants are counted apart, on the proposals alone (no join to profiles).
    applicants = proposals.aggregate(n=Count("contributor", distinct=True))["n"]
    by_size = proposals.values("size").annotate(n=Count("pk")).order_by("size")
    by_country = list(proposals.values(country).annotate(n=Count("pk")).order_by(country))
    totals = {
        "total": sum(row["n"] for row in by_country),
        "applicants": applicants,
        "countries": sum(1 for row in by_country if row[country] is not None),
    }
    # One count per organization in correlated subqueries: joining both proposals and projects
    # to the participation would multiply their rows (a million for a big organization).
    by_org = (
        program.participations.filter(status=ParticipationStatus.ACCEPTED)
        .values("organization__slug", "organization__name")
        .annotate(
            proposals=_count_per_participation(
                Proposal.objects.filter(status__in=SUBMITTED_STATES)
            ),
            accepted=_count_per_participation(Project.objects.all()),
        )
        .order_by("organization__slug")
    )
    accepted = projects.aggregate(
        contributors=Count("contributor", distinct=True),
        countries=Count(country, distinct=True),
    )
    mentors = Membership.objects.filter(
        participation__program=program,
        participation__status=ParticipationStatus.ACCEPTED,
        role=Role.MENTOR,
    ).aggregate(n=Count("user", distinct=True))["n"]
    evaluations = (
        Evaluation.objects.filter(
            period__project__participation__program=program,
            period__side=Side.MENTOR,
            period__kind__in=["midterm", "final"],
        )
        .values("period__kind")
        .annotate(filed=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
        .order_by("period__kind")
    )
    lengths = (
        projects.values("length_weeks")
        .annotate(total=Count("pk"), passed=Count("pk", filter=Q(status="passed")))
        .order_by("length_weeks")
    )

    pass_rates = {kind: {"filed": 0, "passed": 0, "rate": None} for kind in ("midterm", "final")}
    for row in evaluations:
        pass_rates[row["period__kind"]] = {
            "filed": row["filed"],
            "passed": row["passed"],
            "rate": _rate(row["passed"], row["filed"]),
        }
    return {
        "organizations": _organizations(program),
        "mentors": mentors,
        "applicants": totals["applicants"],
        "proposals": {
            "total": totals["total"],
            "by_size": {str(row["size"] or "unknown"): row["n"] for row in by_size},
            "by_country": {(row[country] or UNKNOWN_COUNTRY): row["n"] for row in by_country},
        },
        "acceptance_by_org": {
            row["organization__slug"]: {
                "name": row["organization__name"],
                "proposals": row["proposals"],
                "accepted": row["accepted"],
            }
            for row in by_org
        },
        "accepted_contributors": accepted["contributors"],
        "countries": {"applicants": totals["countries"], "accepted": accepted["countries"]},
        "pass_rates": pass_rates,
        "completion_by_length": {
            str(row["length_weeks"]): {
                "total": row["total"],
                "passed": row["passed"],
                "rate": _rate(row["passed"], row["total"]),
            }
            for row in lengths
        },
        "payouts": _payouts(program),
        # Seasons imported from the public GSoC archive keep their passed projects here.
        "archived_passed_projects": ArchivedProject.objects.filter(
            participation__program=program, status="passed"
        ).count(),
    }


def _docs(program: Program) -> dict:
    from docs_season.models import CaseStudy, Deliverable, Hire
    from evaluations.models import Evaluation

    accepted = program.participations.filter(status=ParticipationStatus.ACCEPTED).aggregate(
        projects=Count("pk"), requested=Sum("budget_requested")
    )
    payouts = _payouts(program)
    statuses = (
        Evaluation.objects.filter(
            period__participation__program=program, period__kind="monthly", period__project=None
        )
        .exclude(status="")
        .values("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    )
    by_status = {"on_track": 0, "concerns": 0, "failing": 0}
    by_status.update({row["status"]: row["n"] for row in statuses})
    case_studies = CaseStudy.objects.filter(participation__program=program).aggregate(
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        accepted=Count("pk", filter=Q(status="accepted")),
    )
    average = Deliverable.objects.filter(case_study__participation__program=program).aggregate(
        average=Avg("percent_complete"), count=Count("pk")
    )
    return {
        "projects": accepted["projects"],
        "budgets": {
            "currency": program.currency,
            "requested": _money(accepted["requested"]),
            "spent": {
                currency: _money(sum(Decimal(m["sum"]) for m in milestones.values()))
                for currency, milestones in payouts.items()
            },
        },
        "writers_hired": Hire.objects.filter(participation__program=program).aggregate(
            n=Count("writer", distinct=True)
        )["n"],
        "monthly_evaluations": {"total": sum(by_status.values()), "by_status": by_status},
        "case_studies": case_studies,
        "deliverables": {
            "count": average["count"],
            "average_percent_complete": None
            if average["average"] is None
            else str(Decimal(average["average"]).quantize(Decimal("0.1"), ROUND_HALF_UP)),
        },
        "payouts": payouts,
    }
