"""Mirroring payouts as OpenCollective expenses: over the API when a token is configured, else
through CSV files a manager carries by hand (our export in, OpenCollective's export back)."""

import csv
import io
import logging
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from payments.models import Payout, PayoutStatus
from payments.opencollective import (
    OpenCollectiveClient,
    OpenCollectiveError,
    TransientError,
)
from payments.services import TRANSITIONS, may_move_payout, payout_transition
from programs.models import Program
from programs.spreadsheets import CSVWriter

logger = logging.getLogger(__name__)

NOT_APPROVED = "Only an approved payout can be sent to OpenCollective."
MISSING_SLUGS = "Set the collective slug and the payee slug before sending the payout."
NOT_ALLOWED = "Only a manager of this program (or, for writer payments, an org admin) can do this."
ALREADY_LINKED = "OpenCollective expense {id} is already linked to payout {reference}."
EMPTY_CSV = "The file is empty: expected OpenCollective's expense export with a header row."
MISSING_COLUMNS = "The file lacks the column(s) {columns}; found: {found}."

# OpenCollective's expense statuses that mean something to us; others (PENDING, PROCESSING,
# SCHEDULED_FOR_PAYMENT, …) leave the payout as it is.
REMOTE_STATUS = {
    "PAID": PayoutStatus.PAID,
    "REJECTED": PayoutStatus.REJECTED,
    "CANCELED": PayoutStatus.CANCELED,
    "ERROR": PayoutStatus.ERROR,
    "APPROVED": PayoutStatus.APPROVED,
}
SETTLED = [PayoutStatus.PAID, PayoutStatus.REJECTED, PayoutStatus.CANCELED]
# Expenses are read, then their payouts written and stamped, this many at a time.
SYNC_BATCH = 500

CSV_COLUMNS = [
    "reference",
    "collective_slug",
    "payee_name",
    "payee_email",
    "payee_slug",
    "type",
    "description",
    "amount",
    "currency",
    "milestone",
    "program",
]


def client_from_settings() -> OpenCollectiveClient | None:
    """The API client, or None when no token is configured (the CSV files are the path then)."""
    if not settings.OPENCOLLECTIVE_TOKEN:
        return None
    return OpenCollectiveClient(
        settings.OPENCOLLECTIVE_API_URL,
        settings.OPENCOLLECTIVE_TOKEN,
        settings.OPENCOLLECTIVE_TIMEOUT,
    )


def _link(payout: Payout, *, expense_id: str, legacy_id: int | None, now: datetime) -> bool:
    """Store the expense's ids unless the payout is linked already; True if this call linked it.

    Claimed with a conditional update, so two workers cannot both link (rule 7). When only the
    legacy number is known (an export without API ids), it alone links the payout.
    """
    unlinked = Payout.objects.filter(
        pk=payout.pk, oc_expense_id__isnull=True, oc_legacy_id__isnull=True
    )
    if legacy_id is not None:
        other = Payout.objects.filter(oc_legacy_id=legacy_id).exclude(pk=payout.pk).first()
        if other is not None:
            raise ValidationError(ALREADY_LINKED.format(id=legacy_id, reference=other.reference))
    try:
        if expense_id:
            linked = unlinked.update(
                oc_expense_id=expense_id, oc_legacy_id=legacy_id, last_synced_at=now
            )
        else:
            linked = unlinked.update(oc_legacy_id=legacy_id, last_synced_at=now)
    except IntegrityError:
        other = Payout.objects.filter(oc_expense_id=expense_id).first()
        raise ValidationError(
            ALREADY_LINKED.format(id=expense_id, reference=other and other.reference)
        ) from None
    payout.refresh_from_db()
    return bool(linked)


def _linked(payout: Payout) -> bool:
    return bool(payout.oc_expense_id) or payout.oc_legacy_id is not None


UNLINKED = Q(oc_expense_id__isnull=True, oc_legacy_id__isnull=True)


def payout_push(*, payout: Payout, client: OpenCollectiveClient, by, now: datetime) -> Payout:
    """Create (or find, when an earlier try got that far) the approved payout's expense."""
    if not may_move_payout(payout, by):
        raise PermissionDenied(NOT_ALLOWED)
    if _linked(payout):
        return payout
    if payout.status != PayoutStatus.APPROVED:
        raise ValidationError(NOT_APPROVED)
    if not payout.collective_slug or not payout.payee_slug:
        raise ValidationError(MISSING_SLUGS)
    # Two workers pushing the same payout at once could each create an expense; only one is
    # stored here, and the other keeps our reference so it can be found and removed.
    expense = client.ensure_expense(payout)
    _link(payout, expense_id=expense["id"], legacy_id=expense.get("legacyId"), now=now)
    return payout


def payouts_push_approved(*, client: OpenCollectiveClient, now: datetime) -> dict:
    """Push every approved payout that has slugs and no expense yet."""
    counts = {"pushed": 0, "failed": 0}
    payouts = Payout.objects.filter(UNLINKED, status=PayoutStatus.APPROVED).exclude(
        Q(collective_slug="") | Q(payee_slug="")
    )
    for payout in payouts.order_by("pk"):
        try:
            payout_push(payout=payout, client=client, by=None, now=now)
        except (OpenCollectiveError, ValidationError) as error:
            logger.warning("Payout %s not pushed to OpenCollective: %s", payout.reference, error)
            counts["failed"] += 1
        else:
            counts["pushed"] += 1
    return counts


def _apply_remote_status(*, payout: Payout, remote: str, by, now: datetime, source: str) -> str:
    """Move the payout to the status OpenCollective reports; returns what happened:
    "updated", "unchanged" or "conflict" (a move our workflow does not allow)."""
    target = REMOTE_STATUS.get((remote or "").upper())
    if target is None or target == payout.status:
        return "unchanged"
    if target not in TRANSITIONS[payout.status]:
        logger.warning(
            "Payout %s is %s here but %s on OpenCollective; left for a manager.",
            payout.reference,
            payout.status,
            remote,
        )
        return "conflict"
    fields = {"last_synced_at": now}
    if target == PayoutStatus.PAID:
        fields["paid_at"] = now
    try:
        payout_transition(
            payout=payout, to=target, by=by, now=now, reason=f"{source}: {remote}", **fields
        )
    except ValidationError:
        return "conflict"  # moved meanwhile by someone else; the next sync looks again
    return "updated"


def payouts_sync(*, client: OpenCollectiveClient, now: datetime) -> dict:
    """Mirror OpenCollective's status of every linked, unsettled payout (safe to repeat).

    Counts: "failed" are transient failures (a later run retries them), "error" are expenses
    OpenCollective refused to show.
    """
    counts = {"checked": 0, "updated": 0, "unchanged": 0, "conflict": 0, "failed": 0, "error": 0}
    payouts = list(
        Payout.objects.exclude(UNLINKED)
        .exclude(status__in=SETTLED)
        .select_related("program")
        .order_by("pk")
    )
    for start in range(0, len(payouts), SYNC_BATCH):
        read = []
        # Expenses are read outside any transaction: no row stays locked during a request.
        for payout in payouts[start : start + SYNC_BATCH]:
            counts["checked"] += 1
            try:
                expense = client.get_expense(payout.oc_expense_id, legacy_id=payout.oc_legacy_id)
            except OpenCollectiveError as error:
                # One unreachable or unknown expense must not hold up the others.
                logger.warning("Payout %s not synced: %s", payout.reference, error)
                counts["failed" if isinstance(error, TransientError) else "error"] += 1
                continue
            read.append((payout, expense))
        # Their changes are written in one transaction per batch, not one commit per payout.
        with transaction.atomic():
            for payout, expense in read:
                counts[_mirror(payout, expense, now)] += 1
            Payout.objects.filter(pk__in=[payout.pk for payout, _ in read]).update(
                last_synced_at=now
            )
    return counts


def _mirror(payout: Payout, expense: dict, now: datetime) -> str:
    if not payout.oc_expense_id and expense.get("id"):
        # Linked by hand through its legacy number: learn the API id now.
        try:
            with transaction.atomic():
                Payout.objects.filter(pk=payout.pk, oc_expense_id__isnull=True).update(
                    oc_expense_id=expense["id"]
                )
        except IntegrityError:
            logger.warning(
                "Payout %s: expense %s is linked twice.", payout.reference, expense["id"]
            )
    return _apply_remote_status(
        payout=payout, remote=expense.get("status"), by=None, now=now, source="OpenCollective"
    )


def approved_payouts_csv(*, program: Program | None = None) -> str:
    """Approved payouts not yet on OpenCollective, one row per expense to enter by hand; the
    description carries our reference so OpenCollective's export can be matched back."""
    payouts = Payout.objects.filter(UNLINKED, status=PayoutStatus.APPROVED).select_related(
        "program", "payee", "participation__organization"
    )
    if program is not None:
        payouts = payouts.filter(program=program)
    out = io.StringIO()
    writer = CSVWriter(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for payout in payouts.order_by("program__slug", "reference"):
        payee = payout.payee
        name = (payee.name or payee.email) if payee else str(payout.participation.organization)
        description = payout.description or payout.get_milestone_display()
        writer.writerow(
            [
                payout.reference,
                payout.collective_slug,
                name,
                payee.email if payee else "",
                payout.payee_slug,
                payout.expense_type,
                f"{description} [{payout.reference}]",
                f"{payout.amount:.2f}",
                payout.currency,
                payout.milestone,
                payout.program.slug,
            ]
        )
    return out.getvalue()


# OpenCollective's export names columns in several ways over time ("id", "Expense ID",
# "legacyId", "customData.reference"…): compare them with case and punctuation removed.
IMPORT_COLUMNS = {
    "id": {"id", "expenseid"},
    "legacy": {"legacyid", "expenselegacyid"},
    "status": {"status", "expensestatus"},
    "description": {"description", "expensedescription"},
    "reference": {"reference", "customdatareference", "customreference"},
    "amount": {"amount", "expenseamount", "amountvalue"},
    "currency": {"currency", "expensecurrency", "amountcurrency"},
}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _columns(headers: list[str]) -> dict[str, str]:
    found = {}
    for header in headers:
        for name, aliases in IMPORT_COLUMNS.items():
            if _key(header) in aliases and name not in found:
                found[name] = header
    missing = []
    if "id" not in found and "legacy" not in found:
        missing.append("id or legacyId")
    if "status" not in found:
        missing.append("status")
    if "description" not in found and "reference" not in found:
        missing.append("description or reference")
    if missing:
        raise ValidationError(
            MISSING_COLUMNS.format(columns=", ".join(missing), found=", ".join(headers) or "none")
        )
    return found


class _Index:
    """Payouts by expense id, legacy number and reference, for matching export rows."""

    def __init__(self, payouts):
        self.by_id = {p.oc_expense_id: p for p in payouts if p.oc_expense_id}
        self.by_legacy = {p.oc_legacy_id: p for p in payouts if p.oc_legacy_id is not None}
        self.by_reference = {p.reference.upper(): p for p in payouts}

    def match(self, *, expense_id: str, legacy: str, reference: str, description: str):
        if expense_id in self.by_id:
            return self.by_id[expense_id]
        if legacy.isdigit() and int(legacy) in self.by_legacy:
            return self.by_legacy[int(legacy)]
        if reference.upper() in self.by_reference:
            return self.by_reference[reference.upper()]
        # Our references are made of letters, digits, "_" and "-": any such whole token of
        # the description may be one (the same boundaries as mentions_reference).
        for token in re.findall(r"[\w-]+", description):
            if token.upper() in self.by_reference:
                return self.by_reference[token.upper()]
        return None


def _amount_differs(row: dict, columns: dict, payout: Payout) -> bool:
    raw = (row.get(columns.get("amount", "")) or "").replace(",", "").strip()
    currency = (row.get(columns.get("currency", "")) or "").strip().upper()
    if currency and currency != payout.currency.upper():
        return True
    if not raw:
        return False
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return True
    # Decimal units or, as the API counts them, cents.
    return abs(amount) not in (payout.amount, payout.amount_minor)


def opencollective_export_import(*, csv_text: str, now: datetime, by) -> dict:
    """Reconcile OpenCollective's expense export with our payouts: link the ones entered by
    hand (found by our reference) and mirror their statuses as the sync does."""
    text = csv_text.lstrip("\ufeff")
    if not text.strip():
        raise ValidationError(EMPTY_CSV)
    try:
        reader = csv.DictReader(io.StringIO(text), strict=True)
        columns = _columns(reader.fieldnames or [])
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise ValidationError(f"The file is not readable as CSV: {error}.") from None
    payouts = list(
        Payout.objects.exclude(status__in=[PayoutStatus.DRAFT]).select_related("program")
    )
    counts = {"rows": len(rows), "matched": 0, "linked": 0, "updated": 0, "unknown": 0}
    counts |= {"conflict": 0, "not_allowed": 0, "amount_differs": 0, "other_expense": 0}
    problems = []
    index = _Index(payouts)
    for line, row in rows:

        def value(name, row=row):
            return (row.get(columns[name]) or "").strip() if name in columns else ""

        expense_id, legacy = value("id"), value("legacy")
        if expense_id.isdigit() and not legacy:
            # The export's "id" is then the number OpenCollective shows in its pages.
            expense_id, legacy = "", expense_id
        payout = index.match(
            expense_id=expense_id,
            legacy=legacy,
            reference=value("reference"),
            description=value("description"),
        )
        if payout is None:
            counts["unknown"] += 1
            continue
        counts["matched"] += 1
        if not may_move_payout(payout, by):
            counts["not_allowed"] += 1
            continue
        if _amount_differs(row, columns, payout):
            counts["amount_differs"] += 1
            problems.append(f"Line {line}: the amount or currency differs from {payout.reference}.")
            continue
        if not _linked(payout) and (expense_id or legacy.isdigit()):
            try:
                counts["linked"] += _link(
                    payout, expense_id=expense_id, legacy_id=_int(legacy), now=now
                )
            except ValidationError as error:
                problems.append(f"Line {line}: {error.messages[0]}")
                continue
        if _other_expense(payout, expense_id=expense_id, legacy=legacy):
            # The same payout entered twice by hand: only its linked expense speaks for it.
            counts["other_expense"] += 1
            problems.append(f"Line {line}: {payout.reference} is linked to another expense.")
            continue
        outcome = _apply_remote_status(
            payout=payout, remote=value("status"), by=by, now=now, source="OpenCollective export"
        )
        if outcome != "unchanged":
            counts[outcome] += 1
    counts["problems"] = problems
    return counts


def _other_expense(payout: Payout, *, expense_id: str, legacy: str) -> bool:
    if expense_id and payout.oc_expense_id and expense_id != payout.oc_expense_id:
        return True
    return bool(
        legacy.isdigit() and payout.oc_legacy_id is not None and int(legacy) != payout.oc_legacy_id
    )


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None
