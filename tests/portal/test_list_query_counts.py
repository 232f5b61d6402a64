"""Every page that lists rows runs the same number of queries with 3 rows as with 23, and no more
than its recorded ceiling; and no URL escapes this table: a new pattern must be listed in PAGES or
in NOT_A_LIST (with a reason), or test_every_url_is_covered fails.

Each case builds a few rows, counts the queries of a GET as someone who sees them, builds many
more (with what each row shows: tags, mentors, scores, comments, evaluations, payouts, history),
counts again, and checks the new rows are on the page, so that an empty list cannot pass.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from applications.models import Proposal
from docs_season.models import CaseStudy, CaseStudyStatus
from programs.models import MilestoneKind
from tests.support.api_lists import API_LISTS, API_NOT_A_LIST
from tests.support.payouts import make_payout
from tests.support.proposals import submitted
from tests.support.query_counts import (
    FEW,
    MANY,
    assert_constant,
    captured,
    case_study,
    grow_administered,
    grow_announced,
    grow_approved,
    grow_audit,
    grow_case_studies,
    grow_case_study_rows,
    grow_doc_applications,
    grow_doc_projects,
    grow_docs_administered,
    grow_docs_months,
    grow_drafts,
    grow_idea_choices,
    grow_ideas,
    grow_invitations,
    grow_key_rotations,
    grow_managed,
    grow_mentored,
    grow_milestones,
    grow_my_payouts,
    grow_my_projects,
    grow_org_programs,
    grow_organizations,
    grow_payout_history,
    grow_payouts,
    grow_program_publications,
    grow_programs,
    grow_proposals,
    grow_publications,
    grow_published_case_studies,
    grow_review,
    grow_selection,
    grow_statements,
    grow_team,
    grow_tokens,
    grow_writer_payments,
    grow_writers,
)
from tests.support.statistics import new_signing_key

pytestmark = pytest.mark.django_db


@dataclass
class Page:
    """A list page: its URL for the cast, who reads it, and how to add rows numbered
    [start, stop) — the grower returns a text each new row shows on the page."""

    url: Callable
    viewer: str | None
    grow: Callable
    # Capped pages (home: 6 programs) show only the first rows.
    capped: bool = False
    # Pages that create what they show on a first visit (monthly evaluation periods) are
    # counted from the second: the first costs an insert per new row, once.
    warm: bool = False
    setup: Callable = field(default=lambda cast: None)


# The growers are in tests/support/query_counts.py (the API's tests use them too); these set up
# the one object whose rows a page's grower adds.


def _reviewed(cast):
    return submitted(cast.participation, title="Under review", mentors=[cast.mentor])


def _one_case_study(cast):
    case_study(cast.docs_participation, CaseStudyStatus.ACCEPTED, rows=0)


def _docs_months(cast):
    cast.docs_program.milestones.filter(kind=MilestoneKind.MONTHLY_EVALUATION).delete()


def _one_payout(cast):
    make_payout(cast)


def _docs_args(cast):
    return [cast.docs_program.slug, cast.docs_participation.organization.slug]


def _org_args(cast):
    return [cast.program.slug, cast.participation.organization.slug]


def _review_url(cast):
    return reverse("proposal_review", args=[Proposal.objects.get(title="Under review").pk])


def _payout_url(cast):
    from payments.models import Payout

    return reverse("payout_detail", args=[Payout.objects.get(payee=cast.contributor).pk])


def _case_study_url(cast):
    return reverse(
        "case_study_detail", args=[CaseStudy.objects.get(participation=cast.docs_participation).pk]
    )


# name or "name[variant]" -> Page
PAGES = {
    "home": Page(lambda c: reverse("home"), None, grow_programs, capped=True),
    "program_list": Page(lambda c: reverse("program_list"), None, grow_programs),
    # The program page previews the first projects; the rest are on program_projects.
    "program_detail": Page(
        lambda c: reverse("program_detail", args=[c.program.slug]),
        None,
        grow_announced,
        capped=True,
    ),
    "program_organizations": Page(
        lambda c: reverse("program_organizations", args=[c.program.slug]),
        None,
        grow_organizations,
    ),
    "program_ics": Page(
        lambda c: reverse("program_ics", args=[c.program.slug]), None, grow_milestones
    ),
    "participation_team": Page(
        lambda c: reverse("participation_team", args=_org_args(c)), "org_admin", grow_team
    ),
    "organization_detail": Page(
        lambda c: reverse("organization_detail", args=[c.participation.organization.slug]),
        "outsider",
        grow_org_programs,
    ),
    "account_tokens": Page(lambda c: reverse("account_tokens"), "contributor", grow_tokens),
    "dashboard[manager]": Page(lambda c: reverse("dashboard"), "manager", grow_managed),
    "dashboard[org_admin]": Page(lambda c: reverse("dashboard"), "org_admin", grow_administered),
    "dashboard[mentor]": Page(lambda c: reverse("dashboard"), "mentor", grow_mentored),
    "dashboard[contributor]": Page(lambda c: reverse("dashboard"), "contributor", grow_invitations),
    "my_proposals": Page(
        lambda c: reverse("my_proposals", args=[c.program.slug]), "contributor", grow_drafts
    ),
    "proposal_new": Page(
        lambda c: reverse("proposal_new", args=[c.program.slug]),
        "contributor",
        grow_idea_choices,
    ),
    "idea_list": Page(lambda c: reverse("idea_list", args=[c.program.slug]), "mentor", grow_ideas),
    "org_proposals[org_admin]": Page(
        lambda c: reverse("org_proposals", args=_org_args(c)), "org_admin", grow_proposals
    ),
    "org_proposals[mentor]": Page(
        lambda c: reverse("org_proposals", args=_org_args(c)), "mentor", grow_proposals
    ),
    "org_proposals[manager]": Page(
        lambda c: reverse("org_proposals", args=_org_args(c)), "manager", grow_proposals
    ),
    "proposal_review": Page(_review_url, "mentor", grow_review, setup=_reviewed),
    "program_slots": Page(
        lambda c: reverse("program_slots", args=[c.program.slug]),
        "manager",
        grow_organizations,
    ),
    "program_selection[preview]": Page(
        lambda c: reverse("program_selection", args=[c.program.slug]),
        "manager",
        grow_selection,
    ),
    "program_selection[announced]": Page(
        lambda c: reverse("program_selection", args=[c.program.slug]),
        "manager",
        grow_announced,
    ),
    "program_projects": Page(
        lambda c: reverse("program_projects", args=[c.program.slug]), None, grow_announced
    ),
    "doc_projects": Page(
        lambda c: reverse("doc_projects", args=[c.docs_program.slug]),
        None,
        grow_doc_projects,
    ),
    "program_applications": Page(
        lambda c: reverse("program_applications", args=[c.docs_program.slug]),
        "manager",
        grow_doc_applications,
    ),
    "writer_directory": Page(lambda c: reverse("writer_directory"), None, grow_writers),
    "org_writers": Page(
        lambda c: reverse("org_writers", args=_docs_args(c)), "org_admin", grow_statements
    ),
    "program_case_studies": Page(
        lambda c: reverse("program_case_studies", args=[c.docs_program.slug]),
        "manager",
        grow_case_studies,
    ),
    "case_studies": Page(lambda c: reverse("case_studies"), None, grow_published_case_studies),
    "case_study_detail": Page(_case_study_url, None, grow_case_study_rows, setup=_one_case_study),
    "my_evaluations[mentor]": Page(lambda c: reverse("my_evaluations"), "mentor", grow_my_projects),
    "my_evaluations[org_admin]": Page(
        lambda c: reverse("my_evaluations"), "org_admin", grow_docs_administered, warm=True
    ),
    "docs_evaluations": Page(
        lambda c: reverse("docs_evaluations", args=_docs_args(c)),
        "org_admin",
        grow_docs_months,
        setup=_docs_months,
    ),
    "my_payouts": Page(lambda c: reverse("my_payouts"), "contributor", grow_my_payouts),
    "payout_detail": Page(_payout_url, "contributor", grow_payout_history, setup=_one_payout),
    "program_ledger": Page(
        lambda c: reverse("program_ledger", args=[c.program.slug]), "manager", grow_payouts
    ),
    "program_ledger[csv]": Page(
        lambda c: reverse("program_ledger", args=[c.program.slug]) + "?format=csv",
        "manager",
        grow_payouts,
    ),
    "program_opencollective[csv]": Page(
        lambda c: reverse("program_opencollective", args=[c.program.slug]) + "?format=csv",
        "manager",
        grow_approved,
    ),
    "org_payouts[coding]": Page(
        lambda c: reverse("org_payouts", args=_org_args(c)), "org_admin", grow_payouts
    ),
    "org_payouts[docs]": Page(
        lambda c: reverse("org_payouts", args=_docs_args(c)),
        "org_admin",
        grow_writer_payments,
    ),
    "statistics_index": Page(lambda c: reverse("statistics_index"), None, grow_publications),
    "statistics_key": Page(lambda c: reverse("statistics_key"), None, grow_key_rotations),
    "program_statistics_manage": Page(
        lambda c: reverse("program_statistics_manage", args=[c.program.slug]),
        "manager",
        grow_program_publications,
    ),
    "program_audit": Page(
        lambda c: reverse("program_audit", args=[c.program.slug]), "manager", grow_audit
    ),
}

# Queries of each with MANY rows, the same on SQLite and PostgreSQL today: a regression
# beyond fails even where the count stays flat. Lower them when a change saves queries.
CEILINGS = {
    "home": 3,
    "program_list": 2,
    "program_detail": 6,
    "program_organizations": 4,
    "program_ics": 2,
    "participation_team": 6,
    "organization_detail": 7,
    "account_tokens": 3,
    "dashboard[manager]": 10,
    "dashboard[org_admin]": 12,
    "dashboard[mentor]": 10,
    "dashboard[contributor]": 11,
    "my_proposals": 6,
    "proposal_new": 9,
    "idea_list": 10,
    "org_proposals[org_admin]": 9,
    "org_proposals[mentor]": 9,
    "org_proposals[manager]": 9,
    "proposal_review": 9,
    "program_slots": 7,
    "program_selection[preview]": 8,
    "program_selection[announced]": 9,
    "program_projects": 5,
    "doc_projects": 4,
    "program_applications": 8,
    "writer_directory": 1,
    "org_writers": 10,  # +1: the writer budget's lines, whatever the rows
    "program_case_studies": 9,
    "case_studies": 3,
    "case_study_detail": 3,
    "my_evaluations[mentor]": 6,
    "my_evaluations[org_admin]": 6,
    "docs_evaluations": 9,
    "my_payouts": 4,
    "payout_detail": 4,
    "program_ledger": 8,
    "program_ledger[csv]": 8,
    "program_opencollective[csv]": 6,
    "org_payouts[coding]": 6,
    "org_payouts[docs]": 6,
    "statistics_index": 1,
    "statistics_key": 1,
    "program_statistics_manage": 17,
    "program_audit": 9,
}

# URL names that list no unbounded rows, each with why.
NOT_A_LIST = {
    "favicon.ico": "a redirect to the static icon",
    "account_token_revoke": "POST only: revokes one token",
    "account_data": "the viewer's own links and refusals (bounded by their roles)",
    "account_data_export": "a fixed number of queries, tested in tests/portal/test_privacy.py",
    "account_delete": "a password form (bounded by the viewer's roles)",
    "invitation_revoke": "POST only: revokes one invitation",
    "invitation": "one invitation",
    "invitation_answer": "one invitation",
    "contributor_profile": "the viewer's own profile form",
    "writer_profile": "the viewer's own profile form",
    "program_register": "the viewer's registration form",
    "proposal_edit": "one proposal the contributor edits",
    "proposal_autosave": "POST only: saves one draft",
    "proposal_withdraw": "POST only: withdraws one proposal",
    "proposal_attachment": "one file",
    "idea_new": "a form; its mentor choices are one query",
    "idea_edit": "a form; its mentor choices are one query",
    "org_apply": "a form; the organizations the viewer administers are one query",
    "doc_proposal_edit": "one proposal and its budget form (bounded by the form's rows)",
    "doc_proposal_check": "POST only: checks one budget",
    "writer_detail": "one writer's profile",
    "statement_send": "a form to one organization",
    "case_study_edit": "a form for one organization's case study (bounded rows)",
    "survey_answer": "one survey form",
    "project_detail": "one project and its four fixed evaluation periods",
    "evaluation_file": "one evaluation form",
    "unsubscribe": "one signed link",
    "program_opencollective": "an upload form; its CSV export is covered as [csv]",
    "statistics_verify": "a form",
    "statistics_detail": "one publication: a stored JSON document, no rows behind it",
    "statistics_json": "one publication's stored bytes",
    "statistics_csv": "one publication's stored document, flattened",
}
# Third-party pages, by the module their views come from.
NOT_A_LIST_MODULES = {
    "allauth.": "sign-in, sign-up, e-mail and password pages about the viewer's own account",
}


def _viewer(cast, role):
    return None if role is None else getattr(cast, role)


@pytest.mark.parametrize("name", list(PAGES))
def test_list_page_queries_do_not_grow(cast, client, settings, name):
    page = PAGES[name]
    new_signing_key(settings)
    page.setup(cast)
    viewer = _viewer(cast, page.viewer)
    if viewer is not None:
        client.force_login(viewer)
    url = page.url(cast)
    shown = page.grow(cast, 0, FEW)
    if page.warm:
        client.get(url)
    few = captured(client, url)
    shown += page.grow(cast, FEW, MANY)
    if page.warm:
        client.get(url)
    many = captured(client, url)
    body = client.get(url).content.decode()
    for text in shown[:1] if page.capped else [shown[0], shown[-1]]:
        assert text in body, f"{name}: {text!r} is not on the page"
    assert_constant(name, few, many, CEILINGS[name])


# Completeness -------------------------------------------------------------------------------


def _patterns(entries=None):
    """(name, or route if unnamed, and view module) of every URL pattern; the admin's (Django's
    own changelists, paged by it) left out."""
    for entry in get_resolver().url_patterns if entries is None else entries:
        if isinstance(entry, URLResolver):
            if entry.app_name != "admin":
                yield from _patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            callback = getattr(entry.callback, "view_class", entry.callback)
            yield entry.name or str(entry.pattern), callback.__module__


def test_every_url_is_covered():
    covered = {name.split("[")[0] for name in [*PAGES, *API_LISTS]}
    declared = covered | set(NOT_A_LIST) | set(API_NOT_A_LIST)
    missing = sorted(
        name
        for name, module in _patterns()
        if name not in declared and not module.startswith(tuple(NOT_A_LIST_MODULES))
    )
    assert not missing, (
        f"URL patterns neither covered by a query-count test nor declared not a list: {missing}"
    )
    names = {name for name, _ in _patterns()}
    stale = sorted(declared - names)
    assert not stale, f"Declared but no longer routed: {stale}"
    # A variant (an export) may be covered while its page is not a list; the page itself not.
    whole = {name for name in [*PAGES, *API_LISTS] if "[" not in name}
    assert not whole & (set(NOT_A_LIST) | set(API_NOT_A_LIST))


def test_every_page_has_a_ceiling():
    assert set(CEILINGS) == set(PAGES)
