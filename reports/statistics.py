"""Aggregate statistics of one program, computed in SQL, and the public view of them.

`program_statistics()` runs a fixed number of aggregate queries whatever the program's size and
returns plain JSON data (counts as ints, money and rates as strings). `public_view()` makes that
data safe to publish:

* Primary suppression: every cell that counts people (contributors, applicants, proposals,
  mentors, evaluations, payouts, writers) and is under 5 becomes the string "<5".
* Complementary suppression: a breakdown whose cells add up to a published total (proposals by
  size, by country and by organization; accepted contributors by organization; monthly
  evaluations by status; project lengths; payouts of one currency) must not have exactly one
  suppressed cell, or that cell is the total minus the others. When exactly one is suppressed,
  the smallest remaining cell is suppressed too, as "suppressed" (it is not under 5, so it is
  not marked "<5"); if no other cell remains, the total is suppressed instead.
* A part published beside its whole (passed of filed evaluations, passed of projects of one
  length, accepted of one organization's proposals) is suppressed when the part or the
  remainder (whole - part) is under 5, and a rate is published only when its part is.

Organizations, countries, money totals and percentages of deliverables count no people and are
published as they are.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from programs.models import Participation, ParticipationStatus, Program, Role
from reports.models import ArchivedProject

SCHEMA = 1
THRESHOLD = 5
SMALL = "<5"
SUPPRESSED = "suppressed"
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


# ---------- the public view ----------


def _small(value):
    return SMALL if isinstance(value, int) and value < THRESHOLD else value


def is_suppressed(value) -> bool:
    return value in (SMALL, SUPPRESSED)


def protect(cells: dict, total=None, *, total_published: bool = True) -> tuple[dict, object]:
    """Primary and complementary suppression of one breakdown whose cells add up to `total`.

    Cells may arrive already suppressed (by a part-of-whole rule); they count as suppressed.
    """
    out = {key: _small(value) for key, value in cells.items()}
    total_out = _small(total) if total is not None else None
    suppressed = [key for key, value in out.items() if is_suppressed(value)]
    if total_published and len(suppressed) == 1 and not is_suppressed(total_out):
        remaining = sorted((value, key) for key, value in out.items() if isinstance(value, int))
        if remaining:
            out[remaining[0][1]] = SUPPRESSED
        elif total_out is not None:
            total_out = SUPPRESSED
    return out, total_out


def _part_of_whole(part: int, whole) -> object:
    """The part, unless it or the whole minus it is under 5 (then whole - part gives it away)."""
    if part < THRESHOLD:
        return SMALL
    if isinstance(whole, int) and whole - part < THRESHOLD:
        return SUPPRESSED
    if is_suppressed(whole):
        return SUPPRESSED
    return part


def _public_rates(rates: dict) -> dict:
    out = {}
    for key, row in rates.items():
        filed = _small(row["filed"])
        passed = _part_of_whole(row["passed"], filed)
        out[key] = {
            "filed": filed,
            "passed": passed,
            "rate": row["rate"] if isinstance(passed, int) else None,
        }
    return out


def _public_payouts(payouts: dict) -> dict:
    out = {}
    for currency, milestones in payouts.items():
        raw = {milestone: row["count"] for milestone, row in milestones.items()}
        # A currency's sums add up to a published figure (docs: the budget spent), so its
        # payouts form a breakdown with a total.
        counts, _ = protect(raw, sum(raw.values()))
        out[currency] = {
            milestone: {
                "count": counts[milestone],
                "sum": None if is_suppressed(counts[milestone]) else row["sum"],
            }
            for milestone, row in milestones.items()
        }
    return out


def _public_coding(stats: dict) -> dict:
    proposals = stats["proposals"]
    by_size, total = protect(proposals["by_size"], proposals["total"])
    by_country, _ = protect(proposals["by_country"], proposals["total"])
    orgs = stats["acceptance_by_org"]
    org_proposals, _ = protect({s: row["proposals"] for s, row in orgs.items()}, total)
    accepted_total = _small(stats["accepted_contributors"])
    org_accepted, _ = protect(
        {s: _part_of_whole(row["accepted"], row["proposals"]) for s, row in orgs.items()},
        accepted_total,
    )
    lengths = stats["completion_by_length"]
    length_totals, _ = protect(
        {weeks: row["total"] for weeks, row in lengths.items()},
        sum(row["total"] for row in lengths.values()),
    )
    completion = {}
    for weeks, row in lengths.items():
        passed = _part_of_whole(row["passed"], length_totals[weeks])
        completion[weeks] = {
            "total": length_totals[weeks],
            "passed": passed,
            "rate": row["rate"] if isinstance(passed, int) else None,
        }
    return {
        "archived_passed_projects": stats.get("archived_passed_projects", 0),
        "organizations": stats["organizations"],
        "mentors": _small(stats["mentors"]),
        "applicants": _small(stats["applicants"]),
        "proposals": {"total": total, "by_size": by_size, "by_country": by_country},
        "acceptance_by_org": {
            slug: {
                "name": row["name"],
                "proposals": org_proposals[slug],
                "accepted": org_accepted[slug],
            }
            for slug, row in orgs.items()
        },
        "accepted_contributors": accepted_total,
        "countries": stats["countries"],
        "pass_rates": _public_rates(stats["pass_rates"]),
        "completion_by_length": completion,
        "payouts": _public_payouts(stats["payouts"]),
    }


def _public_docs(stats: dict) -> dict:
    evaluations = stats["monthly_evaluations"]
    by_status, total = protect(evaluations["by_status"], evaluations["total"])
    payouts = _public_payouts(stats["payouts"])
    spent = {
        # A lone suppressed payout row would be the currency's whole spend.
        currency: SUPPRESSED
        if sum(is_suppressed(row["count"]) for row in payouts.get(currency, {}).values()) == 1
        else amount
        for currency, amount in stats["budgets"]["spent"].items()
    }
    return {
        **stats,
        "budgets": {**stats["budgets"], "spent": spent},
        "writers_hired": _small(stats["writers_hired"]),
        "monthly_evaluations": {"total": total, "by_status": by_status},
        "payouts": payouts,
    }


def public_view(stats: dict) -> dict:
    """The statistics with small cells suppressed so that none can be recovered (see above)."""
    view = {"schema": stats["schema"], "program": dict(stats["program"])}
    view["suppression"] = {"threshold": THRESHOLD, "small": SMALL, "complementary": SUPPRESSED}
    if "coding" in stats:
        view["coding"] = _public_coding(stats["coding"])
    if "docs" in stats:
        view["docs"] = _public_docs(stats["docs"])
    return view


# ---------- reading published data ----------


def flatten(data, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted key, value) rows of nested JSON data, in key order; None becomes ""."""
    if isinstance(data, dict):
        rows = []
        for key in sorted(data):
            rows.extend(flatten(data[key], f"{prefix}.{key}" if prefix else str(key)))
        return rows
    if isinstance(data, list):
        rows = []
        for index, item in enumerate(data):
            rows.extend(flatten(item, f"{prefix}.{index}"))
        return rows
    if data is None:
        return [(prefix, "")]
    if isinstance(data, bool):
        return [(prefix, "true" if data else "false")]
    return [(prefix, str(data))]


CODING_COMPARISON = [
    ("Organizations accepted", ("coding", "organizations", "accepted")),
    ("New organizations", ("coding", "organizations", "new")),
    ("Mentors", ("coding", "mentors")),
    ("Applicants", ("coding", "applicants")),
    ("Proposals", ("coding", "proposals", "total")),
    ("Accepted contributors", ("coding", "accepted_contributors")),
    ("Countries of accepted contributors", ("coding", "countries", "accepted")),
    ("Midterm pass rate (%)", ("coding", "pass_rates", "midterm", "rate")),
    ("Final pass rate (%)", ("coding", "pass_rates", "final", "rate")),
]
DOCS_COMPARISON = [
    ("Projects", ("docs", "projects")),
    ("Budgets requested", ("docs", "budgets", "requested")),
    ("Technical writers hired", ("docs", "writers_hired")),
    ("Case studies submitted", ("docs", "case_studies", "submitted")),
    ("Case studies accepted", ("docs", "case_studies", "accepted")),
    ("Deliverables complete (average %)", ("docs", "deliverables", "average_percent_complete")),
]


def _dig(data: dict, path: tuple):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def compare_years(datas: list[dict]) -> dict:
    """Year-over-year rows of one series' published data: {"years": [...], "rows": [...]}."""
    datas = sorted(datas, key=lambda d: d["program"]["year"])
    metrics = CODING_COMPARISON if datas and "coding" in datas[0] else DOCS_COMPARISON
    return {
        "years": [d["program"]["year"] for d in datas],
        "rows": [
            {"label": label, "values": [_dig(d, path) for d in datas]} for label, path in metrics
        ],
    }
