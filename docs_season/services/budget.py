"""The budget rules of a doc-project proposal, checked as the organization types and again on
submission."""

from dataclasses import dataclass
from decimal import Decimal

from docs_season.models import (
    BudgetKind,
)
from programs.models import (
    Program,
)

TOTAL_OUT_OF_RANGE = (
    "The budget total is US${total}; the program expects US${low} to {high}. Bring it into range, "
    "or explain why in the budget justification."
)
WRITER_SHARE_TOO_LOW = (
    "Technical writers get {share}% of the budget (US${writers} of US${total}); at least "
    "{minimum}% is required."
)
SWAG_TOO_HIGH = "Swag totals US${swag}; it must stay under US${cap}."
STIPEND_TOO_HIGH = "Line {line}: a volunteer stipend of US${amount} is above the US${cap} cap."
DONATIONS_TOO_HIGH = (
    "Donations total US${donations}, {share}% of the budget; at most {maximum}% is allowed."
)
AMOUNT_NOT_POSITIVE = "Line {line}: the amount must be more than zero."
DESCRIPTION_MISSING = "Line {line}: describe what this amount pays for."
NO_ITEMS = "Add the budget's lines (at least the technical writer)."


@dataclass(frozen=True)
class BudgetProblem:
    rule: str
    message: str
    line: int | None = None  # 1-based line of the budget, when the rule is about one line


def money_text(value: Decimal) -> str:
    """An amount as messages write it: 9650 -> "9,650.00"."""
    return f"{value:,.2f}"


def _plain(value: Decimal) -> str:
    """60.00 -> "60", 12.50 -> "12.5": a setting as people write it."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


def budget_problems(
    *, program: Program, items: list[dict], justification: str = ""
) -> list[BudgetProblem]:
    """Every budget rule the lines break. `items`: dicts with kind, description, amount."""
    problems = []
    if not items:
        return [BudgetProblem("items", NO_ITEMS)]
    for line, item in enumerate(items, start=1):
        if not (item.get("description") or "").strip():
            problems.append(
                BudgetProblem("description", DESCRIPTION_MISSING.format(line=line), line)
            )
        if item["amount"] <= 0:
            problems.append(BudgetProblem("amount", AMOUNT_NOT_POSITIVE.format(line=line), line))
        if (
            item["kind"] == BudgetKind.VOLUNTEER_STIPEND
            and item["amount"] > program.volunteer_stipend_max
        ):
            problems.append(
                BudgetProblem(
                    "volunteer_stipend",
                    STIPEND_TOO_HIGH.format(
                        line=line,
                        amount=money_text(item["amount"]),
                        cap=money_text(program.volunteer_stipend_max),
                    ),
                    line,
                )
            )
    total = sum((i["amount"] for i in items), Decimal(0))

    def of_kind(kind):
        return sum((i["amount"] for i in items if i["kind"] == kind), Decimal(0))

    if not (program.budget_min <= total <= program.budget_max) and not justification.strip():
        problems.append(
            BudgetProblem(
                "total",
                TOTAL_OUT_OF_RANGE.format(
                    total=money_text(total),
                    low=money_text(program.budget_min),
                    high=money_text(program.budget_max),
                ),
            )
        )
    writers = of_kind(BudgetKind.TECHNICAL_WRITER)
    if total > 0 and writers * 100 < program.writer_budget_min_percent * total:
        problems.append(
            BudgetProblem(
                "writer_share",
                WRITER_SHARE_TOO_LOW.format(
                    share=_percent(writers, total),
                    writers=money_text(writers),
                    total=money_text(total),
                    minimum=_plain(program.writer_budget_min_percent),
                ),
            )
        )
    swag = of_kind(BudgetKind.SWAG)
    if swag >= program.swag_max:
        problems.append(
            BudgetProblem(
                "swag",
                SWAG_TOO_HIGH.format(swag=money_text(swag), cap=money_text(program.swag_max)),
            )
        )
    donations = of_kind(BudgetKind.DONATION)
    if total > 0 and donations * 100 > program.donation_max_percent * total:
        problems.append(
            BudgetProblem(
                "donations",
                DONATIONS_TOO_HIGH.format(
                    donations=money_text(donations),
                    share=_percent(donations, total),
                    maximum=_plain(program.donation_max_percent),
                ),
            )
        )
    return problems
