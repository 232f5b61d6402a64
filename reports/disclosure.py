"""What of a program's statistics may be published: `public_view()` of program_statistics().

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

THRESHOLD = 5
SMALL = "<5"
SUPPRESSED = "suppressed"


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
