"""A stand-in for OpenCollective's GraphQL API v2 on 127.0.0.1, speaking the shapes our client
uses. It does not parse GraphQL: it recognises the operation by name and reads the variables.

Tests steer it: `fail(op, ...)` answers one operation with an HTTP error or a GraphQL error,
`create_delay` stores a created expense and then answers too late for the client, and
`set_status` plays the host paying or rejecting an expense.
"""

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "fake-personal-token"
OPERATIONS = ("createExpense", "processExpense", "expenses", "expense")
PROCESSED = {"APPROVE": "APPROVED", "REJECT": "REJECTED", "PAY": "PAID", "UNAPPROVE": "PENDING"}


@dataclass
class Failure:
    op: str
    http_status: int | None = None
    graphql_message: str | None = None
    expense_id: str | None = None
    times: int = 1


@dataclass
class FakeOpenCollective:
    expenses: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    create_delay: float = 0.0
    token: str = TOKEN
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_legacy_id: int = 1000

    # Steering -------------------------------------------------------------------------------

    def fail(self, op, *, http_status=None, graphql_message=None, expense_id=None, times=1):
        self.failures.append(Failure(op, http_status, graphql_message, expense_id, times))

    def set_status(self, expense_id: str, status: str) -> None:
        self.expenses[expense_id]["status"] = status

    def add_expense(self, *, collective: str, description: str, status="PENDING", **extra):
        """An expense entered by hand on OpenCollective (no custom data)."""
        return self._store(collective, {"description": description, "status": status, **extra})

    # Operations -----------------------------------------------------------------------------

    def _store(self, collective: str, expense: dict) -> dict:
        with self.lock:
            self.next_legacy_id += 1
            stored = {
                "id": uuid.uuid4().hex[:12],
                "legacyId": self.next_legacy_id,
                "status": "PENDING",
                "customData": None,
                "account": collective,
                **expense,
            }
            self.expenses[stored["id"]] = stored
        return stored

    def _find(self, reference: dict) -> dict | None:
        if "id" in reference:
            return self.expenses.get(reference["id"])
        return next(
            (e for e in self.expenses.values() if e["legacyId"] == reference.get("legacyId")), None
        )

    def answer(self, op: str, variables: dict) -> dict:
        if op == "createExpense":
            expense = variables["expense"]
            stored = self._store(
                variables["account"]["slug"],
                {
                    "description": expense["description"],
                    "type": expense["type"],
                    "currency": expense["currency"],
                    "amount": sum(item["amount"] for item in expense["items"]),
                    "payee": expense["payee"]["slug"],
                    "customData": expense.get("customData"),
                },
            )
            return {"createExpense": _public(stored)}
        if op == "expenses":
            term = (variables.get("searchTerm") or "").lower()
            nodes = [
                _public(e, "description", "customData")
                for e in self.expenses.values()
                if e["account"] == variables["account"]["slug"]
                and term in (e["description"] + json.dumps(e["customData"])).lower()
            ]
            return {"expenses": {"nodes": nodes[: variables.get("limit", 10)]}}
        if op == "expense":
            found = self._find(variables["expense"])
            return {"expense": found and _public(found)}
        if op == "processExpense":
            found = self._find(variables["expense"])
            found["status"] = PROCESSED[variables["action"]]
            return {"processExpense": _public(found)}
        raise AssertionError(op)

    def failure_for(self, op: str, variables: dict) -> Failure | None:
        expense_id = ((variables or {}).get("expense") or {}).get("id")
        with self.lock:
            for failure in self.failures:
                if failure.op == op and failure.expense_id in (None, expense_id):
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                    return failure
        return None


def _public(expense: dict, *extra: str) -> dict:
    return {key: expense[key] for key in ("id", "legacyId", "status", *extra)}


def _operation(query: str) -> str:
    for op in OPERATIONS:  # longest first: "expenses(" before "expense("
        if f"{op}(" in query:
            return op
    raise AssertionError(f"unknown operation in {query!r}")


def handler_for(fake: FakeOpenCollective):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append({"headers": dict(self.headers), "body": body})
            if self.headers.get("Personal-Token") != fake.token:
                return self.reply(401, {"errors": [{"message": "Invalid personal token"}]})
            op = _operation(body["query"])
            variables = body.get("variables") or {}
            failure = fake.failure_for(op, variables)
            if failure and failure.http_status:
                return self.reply(failure.http_status, {"error": "Internal Server Error"})
            if failure and failure.graphql_message:
                return self.reply(
                    200, {"data": None, "errors": [{"message": failure.graphql_message}]}
                )
            data = fake.answer(op, variables)
            if op == "createExpense" and fake.create_delay:
                time.sleep(fake.create_delay)  # stored already: only the answer is late
            self.reply(200, {"data": data})

        def reply(self, status: int, payload: dict) -> None:
            raw = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as the timeout tests intend

    return Handler


class FakeServer:
    """The fake on an ephemeral port, served from a daemon thread."""

    def __init__(self):
        self.fake = FakeOpenCollective()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self.fake))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/graphql/v2"
        # A short poll interval keeps shutdown (once per test) quick.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
