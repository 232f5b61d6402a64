"""A small client of OpenCollective's GraphQL API v2, on the standard library only.

Errors come in two kinds: `TransientError` (5xx, 429, timeouts, refused connections), which a
job may retry, and `OpenCollectiveError` (GraphQL errors, other 4xx), which a retry won't fix.
"""

import http.client
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

CREATE_EXPENSE = """
mutation CreateExpense($account: AccountReferenceInput!, $expense: ExpenseCreateInput!) {
  createExpense(account: $account, expense: $expense) { id legacyId status }
}
"""
FIND_EXPENSES = """
query FindExpenses($account: AccountReferenceInput!, $searchTerm: String, $limit: Int) {
  expenses(account: $account, searchTerm: $searchTerm, limit: $limit) {
    nodes { id legacyId status description customData }
  }
}
"""
GET_EXPENSE = """
query GetExpense($expense: ExpenseReferenceInput!) {
  expense(expense: $expense) { id legacyId status }
}
"""
PROCESS_EXPENSE = """
mutation ProcessExpense($expense: ExpenseReferenceInput!, $action: ExpenseProcessAction!) {
  processExpense(expense: $expense, action: $action) { id legacyId status }
}
"""
PROCESS_ACTIONS = {
    "APPROVE",
    "UNAPPROVE",
    "REJECT",
    "PAY",
    "MARK_AS_UNPAID",
    "SCHEDULE_FOR_PAYMENT",
}


class OpenCollectiveError(Exception):
    """OpenCollective refused the request; repeating it unchanged will not help."""


class TransientError(OpenCollectiveError):
    """OpenCollective could not be reached or failed on its side; a later retry may succeed."""


def mentions_reference(text: str, reference: str) -> bool:
    """Whether `reference` appears in `text` as a whole token (…-P1 does not match …-P10)."""
    pattern = rf"(?<![\w-]){re.escape(reference)}(?![\w-])"
    return bool(re.search(pattern, text or "", flags=re.IGNORECASE))


class OpenCollectiveClient:
    def __init__(self, url: str, token: str, timeout: float = 10):
        if urlsplit(url).scheme not in {"http", "https"}:
            raise ValueError(f"The OpenCollective API URL must be http(s), not {url!r}.")
        self.url = url
        self.token = token
        self.timeout = timeout

    def execute(self, query: str, variables: dict) -> dict:
        """POST one GraphQL operation and return its `data`."""
        body = json.dumps({"query": query, "variables": variables}).encode()
        request = urllib.request.Request(  # noqa: S310 — the scheme is checked in __init__
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Personal-Token": self.token,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            detail = _error_detail(error)
            if error.code >= 500 or error.code == 429:
                raise TransientError(
                    f"OpenCollective answered HTTP {error.code}{detail}"
                ) from error
            raise OpenCollectiveError(
                f"OpenCollective answered HTTP {error.code}{detail}"
            ) from error
        except (
            urllib.error.URLError,
            TimeoutError,
            ConnectionError,
            http.client.HTTPException,
        ) as e:
            # A timeout may hide a request the server did carry out: callers that create things
            # look them up by our reference before trying again.
            raise TransientError(f"OpenCollective could not be reached: {e}") from e
        try:
            payload = json.loads(raw)
        except ValueError:
            raise OpenCollectiveError(
                "OpenCollective answered with something other than JSON."
            ) from None
        if payload.get("errors"):
            raise OpenCollectiveError(_messages(payload["errors"]))
        return payload.get("data") or {}

    def create_expense(self, payout) -> dict:
        expense = {
            "description": payout.description or payout.reference,
            "type": payout.expense_type,
            "payee": {"slug": payout.payee_slug},
            "payoutMethod": {"type": payout.payout_method_type or "OTHER"},
            "items": [
                {
                    "description": payout.description or payout.reference,
                    "amount": payout.amount_minor,
                }
            ],
            "currency": payout.currency,
            "customData": {"reference": payout.reference},
        }
        data = self.execute(
            CREATE_EXPENSE, {"account": {"slug": payout.collective_slug}, "expense": expense}
        )
        return data["createExpense"]

    def find_expense_by_reference(self, collective_slug: str, reference: str) -> dict | None:
        """The collective's expense carrying our reference in its custom data (or, for one
        entered by hand from our CSV, in its description), if any."""
        data = self.execute(
            FIND_EXPENSES,
            {"account": {"slug": collective_slug}, "searchTerm": reference, "limit": 50},
        )
        nodes = ((data.get("expenses") or {}).get("nodes")) or []
        for node in nodes:
            if (node.get("customData") or {}).get("reference") == reference:
                return node
        for node in nodes:
            if mentions_reference(node.get("description") or "", reference):
                return node
        return None

    def get_expense(self, expense_id: str | None = None, *, legacy_id: int | None = None) -> dict:
        """One expense by its id, or by the number OpenCollective shows in its pages."""
        reference = {"id": expense_id} if expense_id else {"legacyId": legacy_id}
        expense = self.execute(GET_EXPENSE, {"expense": reference}).get("expense")
        if expense is None:
            raise OpenCollectiveError(f"OpenCollective has no expense {expense_id or legacy_id}.")
        return expense

    def process_expense(self, expense_id: str, action: str) -> dict:
        if action not in PROCESS_ACTIONS:
            raise ValueError(f"Unknown expense action {action!r}.")
        data = self.execute(PROCESS_EXPENSE, {"expense": {"id": expense_id}, "action": action})
        return data["processExpense"]

    def ensure_expense(self, payout) -> dict:
        """The payout's expense: found by its reference, else created (safe to repeat)."""
        found = self.find_expense_by_reference(payout.collective_slug, payout.reference)
        return found if found is not None else self.create_expense(payout)


def _messages(errors) -> str:
    if not isinstance(errors, list):
        return str(errors)
    messages = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
    return "; ".join(messages) or "OpenCollective reported an error."


def _error_detail(error: urllib.error.HTTPError) -> str:
    """The GraphQL error messages of an error answer, when it carries any."""
    try:
        payload = json.loads(error.read())
    except (ValueError, OSError):
        return ""
    if isinstance(payload, dict) and payload.get("errors"):
        return f": {_messages(payload['errors'])}"
    return ""
