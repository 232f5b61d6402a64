"""Moving the docs season and the evaluations out of applications loses no row.

applications 0006, docs_season 0001 and evaluations 0001 only move models between the apps'
states: the tables keep their applications_* names (Meta.db_table), and the content types
follow the models so permissions and admin history stay attached. This test migrates a real
PostgreSQL database back to the state before the move, fills every moved table (and what they
point to) through the historical models of that state, migrates forward and checks that every
table kept its rows, that the current models read them, and that the content types changed app
rather than being left behind or created anew.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps as current_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MOVE = ("applications", "0006_move_docs_season_and_evaluations")
# Where the apps stood before the move; every other app at its latest migration (or, should one
# ever depend on the move, at its latest one before it).
BEFORE_THE_MOVE = {
    "applications": "0005_opencollective_slugs",
    "docs_season": None,
    "evaluations": None,
}
MOVED = {
    "docs_season": [
        "WriterProfile",
        "DocProposal",
        "BudgetItem",
        "StatementOfInterest",
        "Hire",
        "CaseStudy",
        "Deliverable",
        "Lesson",
        "Survey",
        "SurveyResponse",
    ],
    "evaluations": ["EvaluationForm", "EvaluationPeriod", "Evaluation", "ReminderLog"],
}
# The migration bookkeeping is the one table that must change.
BOOKKEEPING = "django_migrations"
AT = datetime(2023, 6, 1, 12, 0, tzinfo=UTC)


def _targets_before_the_move(graph):
    targets = []
    for app, leaf in sorted(graph.leaf_nodes()):
        if app in BEFORE_THE_MOVE:
            targets.append((app, BEFORE_THE_MOVE[app]))
            continue
        in_app = [node for node in graph.forwards_plan((app, leaf)) if node[0] == app]
        older = [node for node in reversed(in_app) if MOVE not in graph.forwards_plan(node)]
        targets.append(older[0] if older else (app, None))
    return targets


def _row_counts():
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _fill(old):
    """One row or more in every moved table and in those it refers to, with the historical
    models of the state before the move (the current models may no longer fit it)."""
    User = old.get_model("accounts", "User")
    Program = old.get_model("programs", "Program")
    Organization = old.get_model("programs", "Organization")
    Participation = old.get_model("programs", "Participation")

    def model(name):
        return old.get_model("applications", name)

    writer = User.objects.create(email="writer@example.org", password="!")
    mentor = User.objects.create(email="mentor@example.org", password="!")
    contributor = User.objects.create(email="contributor@example.org", password="!")
    coding = Program.objects.create(
        kind="coding", name="Coding 2023", slug="coding-2023", series="coding", year=2023
    )
    docs = Program.objects.create(
        kind="docs", name="Docs 2023", slug="docs-2023", series="docs", year=2023
    )
    organization = Organization.objects.create(name="Example", slug="example")
    coding_participation = Participation.objects.create(program=coding, organization=organization)
    docs_participation = Participation.objects.create(program=docs, organization=organization)

    # The coding season, which stays in applications: what an evaluation period points to.
    proposal = model("Proposal").objects.create(
        program=coding, participation=coding_participation, contributor=contributor, title="P"
    )
    proposal.mentors.add(mentor)
    project = model("Project").objects.create(
        proposal=proposal,
        participation=coding_participation,
        contributor=contributor,
        title="Project",
        size=175,
        length_weeks=12,
        coding_starts_at=AT,
        coding_ends_at=AT + timedelta(weeks=12),
        accepted_at=AT,
    )
    project.mentors.add(mentor)

    # The docs season.
    model("WriterProfile").objects.create(
        user=writer, display_name="W. Riter", country_of_residence="KE"
    )
    doc_proposal = model("DocProposal").objects.create(
        participation=docs_participation, title="Docs overhaul"
    )
    model("BudgetItem").objects.create(
        proposal=doc_proposal, kind="technical_writer", description="Writer", amount=Decimal(5000)
    )
    model("StatementOfInterest").objects.create(
        participation=docs_participation, writer=writer, message="Hello", sent_at=AT
    )
    model("Hire").objects.create(
        participation=docs_participation,
        writer=writer,
        hired_by=mentor,
        agreed_hours=100,
        hours_per_week=10,
        compensation=Decimal(5000),
        hired_at=AT,
    )
    case_study = model("CaseStudy").objects.create(participation=docs_participation)
    model("Deliverable").objects.create(case_study=case_study, title="Guide", percent_complete=80)
    model("Lesson").objects.create(
        case_study=case_study, kind="went_well", topic="Reviews", what_we_did="x", lesson="y"
    )
    survey = model("Survey").objects.create(program=docs, title="Survey 1")
    model("SurveyResponse").objects.create(
        survey=survey, participation=docs_participation, submitted_by=mentor, submitted_at=AT
    )

    # The evaluations.
    form = model("EvaluationForm").objects.create(program=coding, kind="midterm", side="mentor")
    period = model("EvaluationPeriod").objects.create(
        participation=coding_participation,
        project=project,
        kind="midterm",
        side="mentor",
        opens_at=AT,
        closes_at=AT + timedelta(days=7),
        status="submitted",
    )
    model("Evaluation").objects.create(
        period=period, form=form, filed_by=mentor, submitted_at=AT, passed=True
    )
    model("ReminderLog").objects.create(
        subject=f"period:{period.pk}", kind="opened", email=mentor.email, sent_at=AT
    )


def test_moving_the_docs_season_and_evaluations_keeps_every_row():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = _targets_before_the_move(executor.loader.graph)
    try:
        executor.migrate(before)
        old = executor.loader.project_state([t for t in before if t[1] is not None]).apps
        _fill(old)
        OldContentType = old.get_model("contenttypes", "ContentType")
        old_pks = {}
        for models in MOVED.values():
            for name in models:
                rows = old.get_model("applications", name).objects
                assert rows.exists(), f"applications.{name} was left empty: nothing to lose"
                old_pks[name] = set(rows.values_list("pk", flat=True))
        # Content types as the site had them before the move (post_migrate makes them).
        content_types = {
            name: OldContentType.objects.get_or_create(
                app_label="applications", model=name.lower()
            )[0].pk
            for models in MOVED.values()
            for name in models
        }
        counts_before = _row_counts()

        executor = MigrationExecutor(connection)  # a fresh loader sees what is applied now
        executor.migrate(latest)
        counts_after = _row_counts()
    finally:
        # Whatever failed, later tests get the database at the latest migrations.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()

    counts_before.pop(BOOKKEEPING)
    counts_after.pop(BOOKKEEPING)
    changed = {
        table: (counts_before.get(table), counts_after.get(table))
        for table in counts_before.keys() | counts_after.keys()
        if counts_before.get(table) != counts_after.get(table)
    }
    assert not changed, f"Tables whose row count changed (before, after): {changed}"

    for app_label, models in MOVED.items():
        for name in models:
            model = current_apps.get_model(app_label, name)
            pks = set(model.objects.values_list("pk", flat=True))
            assert pks == old_pks[name], f"{model._meta.label} reads {pks}, not {old_pks[name]}"
            # The same row, relabelled: permissions and admin history point at it still.
            moved = ContentType.objects.filter(app_label=app_label, model=name.lower())
            assert list(moved.values_list("pk", flat=True)) == [content_types[name]], (
                f"{model._meta.label}'s content type is not applications.{name.lower()}'s "
                f"(pk {content_types[name]}) relabelled: {list(moved.values('pk', 'app_label'))}"
            )
            assert ContentType.objects.get_for_model(model).app_label == app_label
    stale = ContentType.objects.filter(
        app_label="applications",
        model__in=[name.lower() for models in MOVED.values() for name in models],
    )
    assert not stale.exists(), f"Stale content types left in applications: {list(stale)}"
    # Rows read through the current models, relations included.
    DocProposal = current_apps.get_model("docs_season", "DocProposal")
    assert DocProposal.objects.get().budget_items.get().amount == Decimal(5000)
    Evaluation = current_apps.get_model("evaluations", "Evaluation")
    assert Evaluation.objects.select_related("period__project").get().period.project.title == (
        "Project"
    )
