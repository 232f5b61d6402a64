"""Sign-ins and drafts for bench/http.py, on a database that bench/generate.py has loaded.

    python -m bench.prepare generated.json out.json submits.txt

Writes, for the load generator: a session for the reviewing mentor, an API token for a program
manager, a publication of the big program's statistics, and one line per draft in the spike
program, `<proposal id> <session key> <csrf secret>`, each draft complete and ready to submit. The
sessions and drafts are written in bulk: this is setup, not what is measured.
"""

import json
import secrets
import sys

import django

# What every spike draft holds: within the program's limits, so a submit in the window succeeds.
DRAFT = {
    "title": "Faster incremental builds for the documentation toolchain",
    "abstract": "Cache parsed sources between builds and rebuild only what changed.",
    "body": "## Plan\n\n" + "Week by week plan with milestones and tests. " * 40,
}


def _session(user, store_class):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = store_class()
    return store.encode(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )


def sessions_for(users) -> dict[int, str]:
    """A signed-in session per user, stored in the database (the cache fills on first use)."""
    from datetime import timedelta

    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    expires = timezone.now() + timedelta(days=1)
    keys = {user.pk: secrets.token_hex(16) for user in users}
    Session.objects.bulk_create(
        (
            Session(
                session_key=keys[user.pk],
                session_data=_session(user, SessionStore),
                expire_date=expires,
            )
            for user in users
        ),
        batch_size=2000,
    )
    return keys


def spike_drafts(*, program, emails, per_contributor):
    """Complete drafts for the spike's contributors, spread over the accepted organizations."""
    from django.contrib.auth import get_user_model

    from applications.models import Proposal, Registration
    from programs.models import ParticipationStatus

    users = list(get_user_model().objects.filter(email__in=emails).order_by("pk"))
    registered = set(
        Registration.objects.filter(program=program, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    users = [u for u in users if u.pk in registered]
    parts = list(program.participations.filter(status=ParticipationStatus.ACCEPTED).order_by("pk"))
    size = program.sizes_offered[0]
    weeks = program.length_options[str(size)][0]
    drafts = []
    for n, user in enumerate(users):
        for k in range(per_contributor):
            drafts.append(
                Proposal(
                    program=program,
                    contributor=user,
                    participation=parts[(n * per_contributor + k) % len(parts)],
                    size=size,
                    length_weeks=weeks,
                    **DRAFT,
                )
            )
    Proposal.objects.bulk_create(drafts, batch_size=2000)
    return users, drafts


def main(generated_path, out_path, submits_path) -> int:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import TokenScope
    from accounts.tokens import token_create
    from programs.models import Program, ProgramManager
    from reports.publishing import statistics_publish

    with open(generated_path) as file:
        generated = json.load(file)
    users = get_user_model().objects
    program = Program.objects.get(slug=generated["coding_program"])
    spike = Program.objects.get(slug=generated["spike"]["program"])

    mentor = users.get(email=generated["mentor"]["email"])
    manager = ProgramManager.objects.filter(program=program).select_related("user").first().user
    _, token = token_create(user=manager, name="bench", scope=TokenScope.READ)
    publication = statistics_publish(program=program, by=manager, now=timezone.now())

    # The spike: up to the cap per contributor, less one so the cap never refuses a submit.
    per_contributor = max(1, min(2, spike.proposal_cap - 1))
    contributors, drafts = spike_drafts(
        program=spike, emails=generated["spike"]["emails"], per_contributor=per_contributor
    )
    keys = sessions_for([mentor, *contributors])
    with open(submits_path, "w") as out:
        for draft in drafts:
            out.write(f"{draft.pk} {keys[draft.contributor_id]} {secrets.token_hex(16)}\n")

    result = {
        "program": program.slug,
        "spike": spike.slug,
        "mentor_session": keys[mentor.pk],
        "mentor_url": (
            f"/programs/{program.slug}/organizations/{generated['mentor']['org']}/proposals/"
        ),
        "manager_token": token,
        "publication": publication.pk,
        "drafts": len(drafts),
        "draft_form": {**DRAFT, "size": drafts[0].size, "length_weeks": drafts[0].length_weeks},
    }
    with open(out_path, "w") as out:
        json.dump(result, out, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k != "manager_token"}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
