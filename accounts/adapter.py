"""Failed sign-ins slow a guesser without locking the owner out (issue 14).

allauth's own "login_failed" limit counted per typed address across every client: five wrong
passwords from anyone locked the owner out too, renewed by each try. Instead, before the password
is checked, each sign-in counts in fixed windows (accounts/ratelimit.py, shared through Redis):

- account_ip: the typed address from this client address: the guesser's own limit;
- ip: every address tried from this client address: a guesser spraying many accounts;
- account: the typed address from everywhere: a generous backstop for a distributed guesser.

While a count is over its limit the sign-in is answered 429 with Retry-After, the password
unchecked. A refused or successful sign-in is taken back, so only failures stay counted: a
refused try neither renews the window nor uses up the backstop, and a window ends on time. The
site's and the Django admin's sign-in both go through `authenticate` (accounts/admin.py).
"""

import hashlib
import ipaddress
import math
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.shortcuts import render

from accounts import ratelimit

SCOPE = "login_failed"
clock = time.time  # tests move it to the end of a window


def _client(adapter, request) -> str:
    """The client address as allauth finds it (ALLAUTH_TRUSTED_PROXY_COUNT, which settings set
    to TRUSTED_PROXY_COUNT); an IPv6 client by its /64, which one subscriber holds whole."""
    ip = adapter.get_client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def _counters(adapter, request, credentials) -> list[tuple[str, str, str]]:
    """(scope, ident, rate) of each configured limit for this sign-in."""
    login = str(credentials.get("email", credentials.get("username", ""))).strip().lower()
    account = hashlib.sha256(login.encode()).hexdigest()
    ip = _client(adapter, request)
    idents = {"account_ip": f"{account}:{ip}", "ip": ip, "account": account}
    return [
        (f"{SCOPE}:{per}", idents[per], rate)
        for per, rate in settings.LOGIN_FAILED_RATE_LIMITS.items()
    ]


def refused(request, retry_after: int):
    minutes = math.ceil(retry_after / 60)
    response = render(
        request,
        "accounts/login_limited.html",
        {"retry_after": retry_after, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials):
        """Count this sign-in in every limit; over any of them, answer 429 before the password
        is checked. Replaces allauth's per-address "login_failed" limit."""
        now = clock()
        counted, waits = [], []
        for scope, ident, rate in _counters(self, request, credentials):
            wait = ratelimit.consume(scope=scope, ident=ident, rate=rate, now=now)
            counted.append((scope, ident, rate))
            if wait is not None:
                waits.append(wait)
        if waits:
            self._release(counted, now)
            raise ImmediateHttpResponse(refused(request, max(waits)))
        self._login_counted = (counted, now)

    def authenticate(self, request, **credentials):
        self._login_counted = None
        user = super().authenticate(request, **credentials)
        if user is not None and self._login_counted:
            # Only failures stay counted: the owner's own sign-ins never count against them.
            self._release(*self._login_counted)
        self._login_counted = None
        return user

    @staticmethod
    def _release(counted, now):
        for scope, ident, rate in counted:
            ratelimit.release(scope=scope, ident=ident, rate=rate, now=now)
