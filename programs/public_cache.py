"""Whole-response cache of public pages and API lists for anonymous visitors.

At a deadline most requests are the same anonymous GETs (the program page, ideas, the API lists);
rendering each one costs milliseconds and queries, serving a stored copy one cache round trip.

Correctness rests on one token, PUBLIC_VERSION_KEY, deleted after every committed write to a
model that public pages show (each app lists its own with `watch`) and drawn afresh by the next
request. An entry records the token read *before* its page was rendered and is served only while
the token is unchanged, so no visitor sees data older than the last commit of a watched model.
Writes that bypass signals (queryset.update, bulk_create) are bounded by the time-to-live instead,
which is also cut at the next timeline boundary so "open"/"closed" flips on time.

While Redis is unreachable every page is rendered (portal/redis_cache.py answers misses), and a
delete of the token is done once Redis answers again, so a write made meanwhile is not hidden by
pages stored before the outage.

Signed-in users, API token holders and requests carrying a message are never served from (or
stored into) this cache: their pages differ per person.
"""

import hashlib
import math
import time
import uuid
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

PUBLIC_VERSION_KEY = "public-cache:version"
# Headers replayed from a stored response; everything else (cookies above all) is dropped.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Allow", "Link", "Vary")


def enabled() -> bool:
    return settings.PUBLIC_CACHE_SECONDS > 0


def version_bump(**_) -> None:
    """Invalidate every stored page once the current transaction commits."""
    # A delete rather than a new value: the cache backend remembers a delete that could not
    # reach Redis and does it when Redis is back, a dropped write it cannot make up for.
    transaction.on_commit(lambda: cache.delete(PUBLIC_VERSION_KEY))


def _on_save(sender, update_fields=None, **kwargs) -> None:
    # A login only stamps last_login: no public page shows it, and a deadline brings thousands.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    version_bump()


def watch(*models) -> None:
    """Invalidate public pages whenever one of these models, or one of its many-to-many
    relations, is saved or deleted."""
    for model in models:
        uid = f"public-cache-{model._meta.label}"
        post_save.connect(_on_save, sender=model, dispatch_uid=uid)
        post_delete.connect(version_bump, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(version_bump, sender=through, dispatch_uid=f"{uid}-{field.name}")


def _is_anonymous(request) -> bool:
    if "HTTP_AUTHORIZATION" in request.META or "messages" in request.COOKIES:
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    return not request.user.is_authenticated


def _key(request) -> str:
    accept = request.META.get("HTTP_ACCEPT", "")
    raw = f"{request.get_full_path()}\n{accept}".encode()
    return "public-cache:page:" + hashlib.sha256(raw).hexdigest()


def seconds_to_boundary(now: datetime) -> float | None:
    """Seconds until the next milestone starts or closes: what is "open" changes then."""
    from programs.models import Milestone

    row = Milestone.objects.filter(Q(starts_at__gt=now) | Q(ends_at__gte=now)).aggregate(
        start=Min("starts_at", filter=Q(starts_at__gt=now)),
        end=Min("ends_at", filter=Q(ends_at__gte=now)),
    )
    # A window's end is its last instant: it is past one microsecond later.
    instants = [t for t in (row["start"], row["end"]) if t is not None]
    if not instants:
        return None
    return (min(instants) - now).total_seconds()


def _time_to_live(now: datetime) -> int:
    ttl = settings.PUBLIC_CACHE_SECONDS
    boundary = seconds_to_boundary(now)
    if boundary is not None:
        ttl = min(ttl, math.floor(boundary))
    return ttl


# Each process keeps the entries it served last, so that a hit moves only the version token
# over the network: fetching a 150 KB statistics snapshot from Redis cost more than the rest of
# the request. Entries are still checked against the shared version on every request.
LOCAL_ENTRIES = 256
LOCAL_MAX_BYTES = 1_000_000
_local: dict[str, dict] = {}


def _current_version(stored: dict) -> str:
    version = stored.get(PUBLIC_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(PUBLIC_VERSION_KEY, version, None)
        version = cache.get(PUBLIC_VERSION_KEY, version)
    return version


def _lookup(key: str) -> tuple[str, dict | None]:
    """The current version, and the stored page for `key` if it is of that version."""
    local = _local.get(key)
    if local is not None and local["expires_at"] > time.time():
        version = _current_version({PUBLIC_VERSION_KEY: cache.get(PUBLIC_VERSION_KEY)})
        if local["version"] == version:
            return version, local
        entry = cache.get(key)
    else:
        stored = cache.get_many([PUBLIC_VERSION_KEY, key])
        version = _current_version(stored)
        entry = stored.get(key)
    if entry is None or entry["version"] != version:
        return version, None
    if len(entry["content"]) <= LOCAL_MAX_BYTES:
        if len(_local) >= LOCAL_ENTRIES:
            _local.clear()
        _local[key] = entry
    return version, entry


def _replay(entry) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    response["X-Public-Cache"] = "hit"
    if entry.get("csp_update"):  # what the view added to the policy (programs/csp.py)
        response.csp_update = entry["csp_update"]
    return response


def public_cache(view):
    """Serve anonymous GETs of `view` from the shared cache while no watched model changed."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not enabled() or request.method not in ("GET", "HEAD") or not _is_anonymous(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        version, entry = _lookup(key)
        if entry is not None:
            response = _replay(entry)
            patch_vary_headers(response, ("Cookie", "Authorization"))
            return response
        response = view(request, *args, **kwargs)

        def store(response):
            if response.status_code != 200 or response.cookies or response.streaming:
                return
            # A page holding this visitor's CSRF token or session change is theirs alone.
            session = getattr(request, "session", None)
            if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or (session and session.modified):
                return
            ttl = _time_to_live(timezone.now())
            if ttl < 1:
                return
            headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
            cache.set(
                key,
                {
                    "version": version,
                    "expires_at": time.time() + ttl,
                    "status": response.status_code,
                    "content": response.content,
                    "headers": headers,
                    "csp_update": getattr(response, "csp_update", None),
                },
                ttl,
            )

        if hasattr(response, "add_post_render_callback") and not response.is_rendered:
            response.add_post_render_callback(store)
        else:
            store(response)
        patch_vary_headers(response, ("Cookie", "Authorization"))
        return response

    return wrapped
