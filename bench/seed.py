"""Bulk extra data for the benchmark: N accepted organizations in the live program + ideas.

Run as `python -m bench.seed` (not bench/seed.py: bench/http.py would shadow the stdlib) with DJANGO_SETTINGS_MODULE=bench.settings and DATABASE_URL set.
"""

import os

import django

N_ORGS = int(os.environ.get("BENCH_ORGS", 300))
N_IDEAS = int(os.environ.get("BENCH_IDEAS", 2000))


def main():
    django.setup()
    from django.db import transaction

    from applications.models import Idea
    from programs.models import (
        Organization,
        Participation,
        ParticipationStatus,
        Program,
        ProjectSize,
    )

    program = Program.objects.get(slug="summer-of-code-live")
    sizes = [ProjectSize.SMALL, ProjectSize.MEDIUM, ProjectSize.LARGE]
    with transaction.atomic():
        orgs = Organization.objects.bulk_create(
            Organization(
                name=f"Bench Org {i:04d}",
                slug=f"bench-org-{i:04d}",
                tagline=f"Benchmark organization number {i}",
                website=f"https://bench-org-{i}.example.org",
                description="A benchmark organization. " * 10,
            )
            for i in range(N_ORGS)
        )
        parts = Participation.objects.bulk_create(
            Participation(
                organization=org,
                program=program,
                status=ParticipationStatus.ACCEPTED,
                slots_requested=3,
                slots_allocated=2,
            )
            for org in orgs
        )
        Idea.objects.bulk_create(
            Idea(
                participation=parts[i % len(parts)],
                title=f"Bench idea {i:05d}",
                description=("Improve the **benchmark** subsystem. " * 20),
                size=sizes[i % 3],
                skills="python, django, postgresql",
            )
            for i in range(N_IDEAS)
        )
    print(f"seeded {len(orgs)} orgs, {len(parts)} participations, {N_IDEAS} ideas")


if __name__ == "__main__":
    main()
