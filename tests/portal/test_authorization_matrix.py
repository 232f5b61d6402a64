"""Every URL pattern and API route, tried as every role with every method it accepts: the outcome
of each cell is declared in ROUTES below, and a URL without a row fails test_every_url_has_a_row.

Roles are the conftest cast's plus another contributor (see authorization_world.py); URL
arguments are real objects the cast owns. Where existence itself is private (proposals, projects,
evaluations, payouts, tokens, invitations, hidden profiles, organizations' back offices) anyone
who may not see the object gets 404, never 403; 403 is kept for people who may read a thing but
not change it. A refused request writes nothing (no INSERT, UPDATE or DELETE is run).

The admin is covered the same way: the list, add, change, delete and history pages of every
registered model, on a row of the manager's programs and of another program (ADMIN_ACCESS);
the escalations it once allowed are named tests in test_admin.py.

Each URL and method is one test id, `<url name>[<variant>]-<METHOD>`, that tries every role
and reports every cell that differs; the people and objects are built once for the module
(authorization_world.py) and every cell runs in a savepoint of its own.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import User
from tests.portal.authorization_world import ROLES, World, build_world

LOGIN = "login"  # 302 to the sign-in page
ADMIN_LOGIN = "admin-login"  # 302 to the admin's sign-in page: not staff
REDIRECT = "redirect"  # 302 anywhere else: the action was taken (or the page moved)
REFUSED = {LOGIN, ADMIN_LOGIN, 401, 403, 404, 405}


def table(default, *, anonymous=None, **roles) -> dict:
    """Every role's outcome: `default`, then the anonymous visitor's, then the named roles'."""
    expected = dict.fromkeys(ROLES, default)
    if anonymous is not None:
        expected["anonymous"] = anonymous
    expected.update(roles)
    return expected


def private(anonymous=LOGIN, other=404, **roles) -> dict:
    """Only the named roles get their outcome; anyone else signed in `other`, else `anonymous`."""
    return table(other, anonymous=anonymous, **roles)


def everyone(outcome) -> dict:
    return table(outcome)


def signed_in(outcome, anonymous=LOGIN, **roles) -> dict:
    return table(outcome, anonymous=anonymous, **roles)


@dataclass
class Route:
    url: Callable[[World], str]
    get: dict | None = None  # role -> outcome; None: not tried
    post: dict | None = None
    data: Callable[[World], dict] = field(default=lambda w: {})


# Arguments ---------------------------------------------------------------------------------


def _program(w):
    return [w.cast.program.slug]


def _docs_program(w):
    return [w.cast.docs_program.slug]


def _org(w):
    return [w.cast.program.slug, w.cast.participation.organization.slug]


def _docs_org(w):
    return [w.cast.docs_program.slug, w.cast.docs_participation.organization.slug]


def _hidden(w):
    return [w.hidden_program.slug]


def _other_org(w):
    return [w.cast.program.slug, w.cast.other_participation.organization.slug]


def _applied(w):
    return [w.cast.docs_program.slug, w.applied.organization.slug]


def _their_docs_org(w):
    return [w.cast.docs_program.slug, w.draft_case_study.participation.organization.slug]


def url(name, args=lambda w: []):
    return lambda w: reverse(name, args=args(w))


def api(path):
    return lambda w: "/api/v1/" + path.format(w=w)


PUBLIC = everyone(200)
SIGNED_IN = signed_in(200)
MANAGER = private(manager=200)
# The organization's team (its mentors and org admins) and the program's managers.
TEAM = private(mentor=200, org_admin=200, manager=200)
# Its org admins and the program's managers.
ADMINS = private(org_admin=200, manager=200)
# login_required + require_POST: a GET is refused after signing in.
POST_ONLY = signed_in(405)
API_PUBLIC = {"get": PUBLIC, "post": everyone(405)}
API_SIGNED_IN = {"get": signed_in(200, anonymous=401), "post": signed_in(405, anonymous=401)}
# The project's team: its contributor, assigned mentor, org admins and the program's managers.
PROJECT = private(contributor=200, mentor=200, org_admin=200, manager=200)
HIDDEN = everyone(404)  # a program nobody in the cast may see
NOBODY = private()  # signed in: 404; anonymous: to the sign-in page


def _api_private(**roles):
    return {"get": private(anonymous=401, **roles), "post": signed_in(405, anonymous=401)}


ROUTES: dict[str, Route] = {
    # Site
    "home": Route(url("home"), get=PUBLIC),
    "favicon.ico": Route(lambda w: "/favicon.ico", get=everyone(REDIRECT)),
    "dashboard": Route(url("dashboard"), get=SIGNED_IN),
    # Programs, organizations, teams, invitations
    "program_list": Route(url("program_list"), get=PUBLIC),
    "program_detail": Route(url("program_detail", _program), get=PUBLIC),
    "program_organizations": Route(url("program_organizations", _program), get=PUBLIC),
    "program_ics": Route(url("program_ics", _program), get=PUBLIC),
    "organization_detail": Route(
        url("organization_detail", lambda w: [w.cast.participation.organization.slug]), get=PUBLIC
    ),
    # An invalid invitation form re-renders the page (200).
    "participation_team": Route(url("participation_team", _org), get=ADMINS, post=ADMINS),
    "invitation_revoke": Route(
        url("invitation_revoke", lambda w: [*_org(w), w.invitation.pk]),
        get=POST_ONLY,
        post=private(org_admin=REDIRECT, manager=REDIRECT),
    ),
    # The secret token is the proof: anyone holding it sees the invitation.
    "invitation": Route(
        url("invitation", lambda w: [w.invitation_token]), get=PUBLIC, post=everyone(400)
    ),
    # Addressed to the writer's verified e-mail address.
    "invitation_answer": Route(
        url("invitation_answer", lambda w: [w.writer_invitation.pk]),
        get=private(writer=200),
        post=private(writer=400),
    ),
    # Profiles and proposals: every signed-in person has their own.
    "contributor_profile": Route(url("contributor_profile"), get=SIGNED_IN, post=signed_in(400)),
    "writer_profile": Route(url("writer_profile"), get=SIGNED_IN, post=signed_in(400)),
    "program_register": Route(
        url("program_register", _program), get=SIGNED_IN, post=signed_in(400)
    ),
    "my_proposals": Route(url("my_proposals", _program), get=SIGNED_IN),
    "proposal_new": Route(url("proposal_new", _program), get=SIGNED_IN, post=signed_in(400)),
    "proposal_edit": Route(
        url("proposal_edit", lambda w: [w.draft.pk]),
        get=private(contributor=200),
        post=private(contributor=REDIRECT),
    ),
    # JSON for proposal.js: 401 instead of a redirect to the sign-in page.
    "proposal_autosave": Route(
        url("proposal_autosave", lambda w: [w.draft.pk]),
        get=everyone(405),
        post=private(anonymous=401, contributor=400),
    ),
    "proposal_withdraw": Route(
        url("proposal_withdraw", lambda w: [w.draft.pk]),
        get=POST_ONLY,
        post=private(contributor=REDIRECT),
    ),
    "proposal_attachment": Route(
        url("proposal_attachment", lambda w: [w.mine.pk]),
        get=private(contributor=200, mentor=200, org_admin=200, manager=200),
    ),
    # Ideas, review, selection
    "idea_list": Route(url("idea_list", _program), get=PUBLIC),
    # Ideas are written by the organization's own team, not by managers.
    "idea_new": Route(
        url("idea_new", _org),
        get=private(mentor=200, org_admin=200),
        post=private(mentor=400, org_admin=400),
    ),
    "idea_edit": Route(
        url("idea_edit", lambda w: [w.idea.pk]),
        get=private(mentor=200, org_admin=200),
        post=private(mentor=400, org_admin=400),
    ),
    # A POST without an action re-renders the page.
    "org_proposals": Route(url("org_proposals", _org), get=TEAM, post=TEAM),
    "proposal_review": Route(url("proposal_review", lambda w: [w.mine.pk]), get=TEAM, post=TEAM),
    "program_slots": Route(url("program_slots", _program), get=MANAGER, post=MANAGER),
    # Announcing before any proposal is chosen is refused with a message.
    "program_selection": Route(
        url("program_selection", _program), get=MANAGER, post=private(manager=400)
    ),
    "program_projects": Route(url("program_projects", _program), get=PUBLIC),
    # Docs season
    "org_apply": Route(url("org_apply", _docs_program), get=SIGNED_IN, post=signed_in(400)),
    # Managers read the proposal; changing it is refused to them with 403.
    "doc_proposal_edit": Route(
        url("doc_proposal_edit", lambda w: [w.doc_proposal.pk]),
        get=ADMINS,
        post=private(org_admin=400, manager=403),
    ),
    "doc_proposal_check": Route(
        url("doc_proposal_check", lambda w: [w.doc_proposal.pk]),
        get=everyone(405),
        post=private(anonymous=401, org_admin=400, manager=403),
    ),
    "doc_projects": Route(url("doc_projects", _docs_program), get=PUBLIC),
    "program_applications": Route(
        url("program_applications", _docs_program),
        get=MANAGER,
        post=private(manager=REDIRECT),
        data=lambda w: {"participation": w.cast.docs_participation.pk},
    ),
    "writer_directory": Route(url("writer_directory"), get=PUBLIC),
    # The writer's profile is hidden: only they see it.
    "writer_detail": Route(
        url("writer_detail", lambda w: [w.cast.writer.writer_profile.pk]),
        get=private(anonymous=404, writer=200),
    ),
    "statement_send": Route(url("statement_send", _docs_org), get=SIGNED_IN, post=signed_in(400)),
    # Managers read along; their POST finds no statement they may act on (404, as
    # tests/docs_season/test_writer_views.py asserts).
    "org_writers": Route(
        url("org_writers", _docs_org),
        get=ADMINS,
        post=private(org_admin=400, manager=404),
        data=lambda w: {"writer": w.cast.writer.pk},
    ),
    # The org admins' page; managers review case studies on program_case_studies.
    "case_study_edit": Route(
        url("case_study_edit", _docs_org), get=private(org_admin=200), post=private(org_admin=200)
    ),
    # Returning an accepted case study is refused with a message.
    "program_case_studies": Route(
        url("program_case_studies", _docs_program),
        get=MANAGER,
        post=private(manager=400),
        data=lambda w: {"case_study": w.case_study.pk, "action": "return"},
    ),
    "case_studies": Route(url("case_studies"), get=PUBLIC),
    "case_study_detail": Route(url("case_study_detail", lambda w: [w.case_study.pk]), get=PUBLIC),
    "survey_answer": Route(
        url("survey_answer", lambda w: [*_docs_org(w), 1]),
        get=private(org_admin=200),
        post=private(org_admin=400),
    ),
    # Evaluations. The contributor and the mentor read the project but may not change its
    # length (403); its org admins and the managers may, but not once evaluations began (400).
    "project_detail": Route(
        url("project_detail", lambda w: [w.project.pk]),
        get=PROJECT,
        post=private(contributor=403, mentor=403, org_admin=400, manager=400),
        data=lambda w: {"weeks": w.project.length_weeks},
    ),
    "my_evaluations": Route(url("my_evaluations"), get=SIGNED_IN),
    # The mentor's evaluation: filed by the mentor or an org admin, read by the others.
    "evaluation_file": Route(
        url("evaluation_file", lambda w: [w.period.pk]),
        get=PROJECT,
        post=private(contributor=403, mentor=400, org_admin=400, manager=403),
    ),
    "docs_evaluations": Route(url("docs_evaluations", _docs_org), get=ADMINS),
    # The signed token is the proof.
    "unsubscribe": Route(
        url("unsubscribe", lambda w: [w.unsubscribe_token]), get=PUBLIC, post=PUBLIC
    ),
    # Statistics
    "statistics_index": Route(url("statistics_index"), get=PUBLIC),
    "statistics_key": Route(url("statistics_key"), get=PUBLIC),
    "statistics_verify": Route(url("statistics_verify"), get=PUBLIC, post=PUBLIC),
    "statistics_detail": Route(url("statistics_detail", lambda w: [w.publication.pk]), get=PUBLIC),
    "statistics_json": Route(url("statistics_json", lambda w: [w.publication.pk]), get=PUBLIC),
    "statistics_csv": Route(url("statistics_csv", lambda w: [w.publication.pk]), get=PUBLIC),
    "program_statistics_manage": Route(
        url("program_statistics_manage", _program), get=MANAGER, post=private(manager=REDIRECT)
    ),
    "program_audit": Route(url("program_audit", _program), get=MANAGER, post=signed_in(405)),
    # Payouts
    "my_payouts": Route(url("my_payouts"), get=SIGNED_IN, post=signed_in(405)),
    "payout_detail": Route(
        url("payout_detail", lambda w: [w.payout.pk]),
        get=private(contributor=200, org_admin=200, manager=200),
        post=signed_in(405),
    ),
    # An empty status move is a form error.
    "program_ledger": Route(
        url("program_ledger", _program), get=MANAGER, post=private(manager=400)
    ),
    "program_opencollective": Route(
        url("program_opencollective", _program), get=MANAGER, post=private(manager=400)
    ),
    "org_payouts": Route(
        url("org_payouts", _org), get=ADMINS, post=private(org_admin=400, manager=400)
    ),
    # Account
    "account_tokens": Route(url("account_tokens"), get=SIGNED_IN, post=signed_in(400)),
    "account_token_revoke": Route(
        url("account_token_revoke", lambda w: [w.token.pk]),
        get=POST_ONLY,
        post=private(contributor=REDIRECT),
    ),
    # Your data (portal/privacy/views.py): one's own only, so every signed-in role alike; an
    # empty deletion form is refused (400) and deletes nothing.
    "account_data": Route(url("account_data"), get=SIGNED_IN, post=signed_in(405)),
    "account_data_export": Route(url("account_data_export"), get=SIGNED_IN, post=signed_in(405)),
    "account_delete": Route(url("account_delete"), get=SIGNED_IN, post=signed_in(400)),
    # API: read-only; unauthenticated requests to non-public endpoints get 401.
    "api_programs": Route(api("programs/"), **API_PUBLIC),
    "api_program": Route(api("programs/{w.cast.program.slug}/"), **API_PUBLIC),
    "api_organizations": Route(api("organizations/"), **API_PUBLIC),
    "api_organization": Route(
        api("organizations/{w.cast.participation.organization.slug}/"), **API_PUBLIC
    ),
    "api_ideas": Route(api("ideas/?program={w.cast.program.slug}"), **API_PUBLIC),
    "api_projects": Route(api("projects/?program={w.cast.program.slug}"), **API_PUBLIC),
    "api_doc_projects": Route(
        api("doc-projects/?program={w.cast.docs_program.slug}"), **API_PUBLIC
    ),
    "api_me": Route(api("me/"), **API_SIGNED_IN),
    "api_my_projects": Route(api("me/projects/"), **API_SIGNED_IN),
    "api_proposals": Route(api("proposals/?program={w.cast.program.slug}"), **API_SIGNED_IN),
    "api_proposal": Route(
        api("proposals/{w.mine.pk}/"),
        **_api_private(contributor=200, mentor=200, org_admin=200, manager=200),
    ),
    "api_org_proposals": Route(
        api(
            "programs/{w.cast.program.slug}/organizations/"
            "{w.cast.participation.organization.slug}/proposals/"
        ),
        **_api_private(mentor=200, org_admin=200, manager=200),
    ),
    "api_project_evaluations": Route(
        api("projects/{w.project.pk}/evaluations/"),
        **_api_private(contributor=200, mentor=200, org_admin=200, manager=200),
    ),
    "api_payouts": Route(api("payouts/"), **API_SIGNED_IN),
    "api_program_statistics": Route(
        api("programs/{w.cast.program.slug}/statistics/"), **API_PUBLIC
    ),
    "api_publications": Route(api("publications/"), **API_PUBLIC),
    "api_schema": Route(api("schema/"), get=PUBLIC),
    "api_docs": Route(api("docs/"), get=PUBLIC),
    "api_redoc": Route(api("redoc/"), get=PUBLIC),
    # The admin's sign-in page (its other pages are below ROUTES). Managers are staff: they go
    # on to the admin's index.
    "admin:login": Route(url("admin:login"), get=table(200, manager=REDIRECT), post=everyone(200)),
    # allauth: sign-in, sign-up, e-mail and password pages about the viewer's own account,
    # the same for every signed-in role. Empty forms re-render (200).
    "account_login": Route(
        url("account_login"),
        get=table(REDIRECT, anonymous=200),
        post=table(REDIRECT, anonymous=200),
    ),
    "account_logout": Route(
        url("account_logout"), get=table(200, anonymous=REDIRECT), post=everyone(REDIRECT)
    ),
    "account_inactive": Route(url("account_inactive"), get=PUBLIC),
    "account_signup": Route(
        url("account_signup"),
        get=table(REDIRECT, anonymous=200),
        post=table(REDIRECT, anonymous=200),
    ),
    "account_reauthenticate": Route(url("account_reauthenticate"), get=SIGNED_IN, post=SIGNED_IN),
    "account_email": Route(url("account_email"), get=SIGNED_IN, post=signed_in(REDIRECT)),
    "account_email_verification_sent": Route(url("account_email_verification_sent"), get=PUBLIC),
    "account_change_password": Route(url("account_change_password"), get=SIGNED_IN, post=SIGNED_IN),
    # Every cast member has a password: the set-password page sends them to change it.
    "account_set_password": Route(
        url("account_set_password"), get=signed_in(REDIRECT), post=signed_in(REDIRECT)
    ),
    "account_reset_password": Route(url("account_reset_password"), get=PUBLIC, post=PUBLIC),
    # No login code is pending for anyone.
    "account_confirm_login_code": Route(
        url("account_confirm_login_code"), get=signed_in(REDIRECT), post=signed_in(REDIRECT)
    ),
    "account_confirm_email": Route(
        url("account_confirm_email", lambda w: ["not-a-key"]), get=PUBLIC, post=everyone(404)
    ),
    "account_reset_password_from_key_done": Route(
        url("account_reset_password_from_key_done"), get=PUBLIC
    ),
    "account_reset_password_from_key": Route(
        url("account_reset_password_from_key", lambda w: ["2", "not-a-key"]),
        get=PUBLIC,
        post=PUBLIC,
    ),
    "account_reset_password_done": Route(url("account_reset_password_done"), get=PUBLIC),
    # Variants --------------------------------------------------------------------------
    # A hidden program is a 404 to everyone who does not manage it, even where signed in.
    "program_detail[hidden]": Route(url("program_detail", _hidden), get=HIDDEN),
    "program_organizations[hidden]": Route(url("program_organizations", _hidden), get=HIDDEN),
    "program_ics[hidden]": Route(url("program_ics", _hidden), get=HIDDEN),
    "idea_list[hidden]": Route(url("idea_list", _hidden), get=HIDDEN),
    "program_projects[hidden]": Route(url("program_projects", _hidden), get=HIDDEN),
    "my_proposals[hidden]": Route(url("my_proposals", _hidden), get=NOBODY),
    "proposal_new[hidden]": Route(url("proposal_new", _hidden), get=NOBODY, post=NOBODY),
    "program_register[hidden]": Route(url("program_register", _hidden), get=NOBODY, post=NOBODY),
    "org_apply[hidden]": Route(url("org_apply", _hidden), get=NOBODY, post=NOBODY),
    "statistics_detail[hidden]": Route(
        url("statistics_detail", lambda w: [w.hidden_publication.pk]), get=HIDDEN
    ),
    "statistics_json[hidden]": Route(
        url("statistics_json", lambda w: [w.hidden_publication.pk]), get=HIDDEN
    ),
    "statistics_csv[hidden]": Route(
        url("statistics_csv", lambda w: [w.hidden_publication.pk]), get=HIDDEN
    ),
    "api_program[hidden]": Route(api("programs/{w.hidden_program.slug}/"), get=HIDDEN),
    "api_ideas[hidden]": Route(api("ideas/?program={w.hidden_program.slug}"), get=HIDDEN),
    "api_projects[hidden]": Route(api("projects/?program={w.hidden_program.slug}"), get=HIDDEN),
    "api_program_statistics[hidden]": Route(
        api("programs/{w.hidden_program.slug}/statistics/"), get=HIDDEN
    ),
    "api_proposals[hidden]": Route(
        api("proposals/?program={w.hidden_program.slug}"), get=private(anonymous=401)
    ),
    # The other organization's proposal, project, evaluation, payout and invitation: the
    # cast's organization's people get 404 as anyone else does.
    "proposal_review[other-org]": Route(
        url("proposal_review", lambda w: [w.theirs.pk]),
        get=private(other_mentor=200, other_org_admin=200, manager=200),
        post=private(other_mentor=200, other_org_admin=200, manager=200),
    ),
    # A draft is its contributor's alone, even to the organization's team.
    "proposal_review[draft]": Route(
        url("proposal_review", lambda w: [w.draft.pk]), get=NOBODY, post=NOBODY
    ),
    "proposal_attachment[other-org]": Route(
        url("proposal_attachment", lambda w: [w.theirs.pk]),
        get=private(other_contributor=200, other_mentor=200, other_org_admin=200, manager=200),
    ),
    # Submitted after the deadline: read-only to its contributor, so a save is refused (400).
    "proposal_edit[other-org]": Route(
        url("proposal_edit", lambda w: [w.theirs.pk]),
        get=private(other_contributor=200),
        post=private(other_contributor=400),
    ),
    "api_proposal[draft]": Route(
        api("proposals/{w.draft.pk}/"), get=private(anonymous=401, contributor=200)
    ),
    "api_proposal[other-org]": Route(
        api("proposals/{w.theirs.pk}/"),
        get=private(
            anonymous=401, other_contributor=200, other_mentor=200, other_org_admin=200, manager=200
        ),
    ),
    "project_detail[other-org]": Route(
        url("project_detail", lambda w: [w.their_project.pk]),
        get=private(other_contributor=200, other_mentor=200, other_org_admin=200, manager=200),
        post=private(other_contributor=403, other_mentor=403, other_org_admin=400, manager=400),
        data=lambda w: {"weeks": w.their_project.length_weeks},
    ),
    "evaluation_file[other-org]": Route(
        url("evaluation_file", lambda w: [w.their_period.pk]),
        get=private(other_contributor=200, other_mentor=200, other_org_admin=200, manager=200),
        post=private(other_contributor=403, other_mentor=400, other_org_admin=400, manager=403),
    ),
    "api_project_evaluations[other-org]": Route(
        api("projects/{w.their_project.pk}/evaluations/"),
        get=private(
            anonymous=401, other_contributor=200, other_mentor=200, other_org_admin=200, manager=200
        ),
    ),
    "payout_detail[other-org]": Route(
        url("payout_detail", lambda w: [w.their_payout.pk]),
        get=private(other_org_admin=200, manager=200),
    ),
    "invitation_revoke[other-org]": Route(
        url("invitation_revoke", lambda w: [*_other_org(w), w.their_invitation.pk]),
        get=POST_ONLY,
        post=private(other_org_admin=REDIRECT, manager=REDIRECT),
    ),
    # Another organization's invitation through one's own organization's address.
    "invitation_revoke[crossed]": Route(
        url("invitation_revoke", lambda w: [*_org(w), w.their_invitation.pk]),
        get=POST_ONLY,
        post=NOBODY,
    ),
    # An application not accepted is private to its organization and the managers.
    "statement_send[applied]": Route(url("statement_send", _applied), get=NOBODY, post=NOBODY),
    "org_writers[applied]": Route(url("org_writers", _applied), get=MANAGER),
    # The organization itself is public; the pending application is not listed on it.
    "organization_detail[applied]": Route(
        url("organization_detail", lambda w: [w.applied.organization.slug]), get=PUBLIC
    ),
    "api_organization[applied]": Route(
        api("organizations/{w.applied.organization.slug}/"), get=PUBLIC
    ),
    # Another docs organization (accepted; nobody of the cast is on its team).
    "doc_proposal_edit[other-org]": Route(
        url("doc_proposal_edit", lambda w: [w.their_doc_proposal.pk]),
        get=MANAGER,
        post=private(manager=403),
    ),
    "org_writers[other-org]": Route(url("org_writers", _their_docs_org), get=MANAGER),
    "case_study_edit[other-org]": Route(
        url("case_study_edit", _their_docs_org), get=NOBODY, post=NOBODY
    ),
    "survey_answer[other-org]": Route(
        url("survey_answer", lambda w: [*_their_docs_org(w), 1]), get=NOBODY, post=NOBODY
    ),
    "docs_evaluations[other-org]": Route(url("docs_evaluations", _their_docs_org), get=MANAGER),
    "org_payouts[other-org]": Route(
        url("org_payouts", _their_docs_org), get=MANAGER, post=private(manager=400)
    ),
    "idea_edit[other-org]": Route(
        url("idea_edit", lambda w: [w.their_idea.pk]),
        get=private(other_mentor=200, other_org_admin=200),
        post=private(other_mentor=400, other_org_admin=400),
    ),
    # A docs organization's monthly evaluation: its org admins file it, managers read it.
    "evaluation_file[docs]": Route(
        url("evaluation_file", lambda w: [w.docs_period.pk]),
        get=ADMINS,
        post=private(org_admin=400, manager=403),
    ),
    # A payment to the writer: theirs, and their organization's admins' and managers'.
    "payout_detail[writer]": Route(
        url("payout_detail", lambda w: [w.writer_payout.pk]),
        get=private(writer=200, org_admin=200, manager=200),
    ),
    "case_study_detail[draft]": Route(
        url("case_study_detail", lambda w: [w.draft_case_study.pk]), get=HIDDEN
    ),
}


# The admin ---------------------------------------------------------------------------------
# Every page of every model the admin registers (rows made from admin.site._registry), on a row
# of the cast's programs ("ours") and of programs the cast's manager does not run ("theirs"; see
# tests/support/admin_world.py). Only staff get in: everyone else, the anonymous visitor too, is
# sent to the admin's sign-in page. The manager gets what ADMIN_ACCESS says: another program's
# row does not exist for them (404, as on the pages), whatever their permissions.
# An empty add or change form comes back with its errors (200); a confirmed deletion redirects,
# or shows what protects the row (200).


def superusers_only() -> dict:
    """Rows of no program, holding personal data (or the log): refused to the manager (403)."""
    return dict.fromkeys(ADMIN_PAGES, 403)


def scoped(*, view=True, add=True, change=True, delete=True, protected=False) -> dict:
    """A model with a program: on their programs' rows what the permissions say; 404 on others."""
    if not view:  # no permission on the model at all (managers have none on reports)
        return {page: 404 if "theirs" in page else 403 for page in ADMIN_PAGES}
    ours = {
        "changelist-GET": 200,
        "add-GET": 200 if add else 403,
        "add-POST": 200 if add else 403,
        "change[ours]-GET": 200,
        "change[ours]-POST": 200 if change else 403,
        "delete[ours]-GET": 200 if delete else 403,
        "delete[ours]-POST": (200 if protected else REDIRECT) if delete else 403,
        "history[ours]-GET": 200,
    }
    return {page: ours.get(page, 404) for page in ADMIN_PAGES}


def shared(*, change_ours: bool) -> dict:
    """Rows every program shares (organizations, tags): read by the manager, changed by them only
    where said (organizations of their programs), deleted by superusers."""
    read = {"add-GET": 200, "add-POST": 200}
    for side in ("ours", "theirs"):
        read[f"change[{side}]-GET"] = read[f"history[{side}]-GET"] = 200
        read[f"change[{side}]-POST"] = 200 if change_ours and side == "ours" else 403
    return {page: read.get(page, 403 if "delete" in page else 200) for page in ADMIN_PAGES}


ADMIN_PAGES = [
    "changelist-GET",
    "add-GET",
    "add-POST",
    *(
        f"{view}[{side}]-{method}"
        for side in ("ours", "theirs")
        for view, method in [
            ("change", "GET"),
            ("change", "POST"),
            ("delete", "GET"),
            ("delete", "POST"),
            ("history", "GET"),
        ]
    ),
]
VIEW_ONLY = {"add": False, "change": False, "delete": False}
# The decisions are documented in each ModelAdmin and in programs/admin/scopes.py.
ADMIN_ACCESS = {
    "auth.group": superusers_only(),  # Django's; managers hold no permission on it
    "account.emailaddress": superusers_only(),  # allauth's; likewise
    "accounts.user": superusers_only(),
    "audit.auditentry": superusers_only(),  # managers read their programs' on the audit page
    "programs.program": scoped(add=False, delete=False),
    "programs.organization": shared(change_ours=True),
    "programs.tag": shared(change_ours=False),
    # Deleting it would take proposals with it, one of which has become a project.
    "programs.participation": scoped(protected=True),
    "programs.invitation": scoped(**VIEW_ONLY),
    "applications.contributorprofile": superusers_only(),
    # Rows naming a person a manager would have to pick: not added by managers.
    "applications.registration": scoped(add=False),
    "applications.idea": scoped(),
    "applications.proposal": scoped(add=False),
    "applications.project": scoped(add=False, protected=True),  # its evaluation protects it
    "applications.comment": scoped(add=False),
    "applications.score": scoped(add=False),
    "docs_season.writerprofile": superusers_only(),
    "docs_season.docproposal": scoped(),
    "docs_season.statementofinterest": scoped(add=False),
    "docs_season.hire": scoped(add=False),
    "docs_season.casestudy": scoped(),
    "docs_season.survey": scoped(),
    "docs_season.surveyresponse": scoped(),
    "evaluations.evaluationform": scoped(protected=True),  # an evaluation answered it
    "evaluations.evaluationperiod": scoped(protected=True),  # its evaluation protects it
    "evaluations.evaluation": scoped(**VIEW_ONLY),
    "evaluations.reminderlog": superusers_only(),
    "payments.countryfactor": scoped(),
    "payments.payout": scoped(add=False, delete=False),
    "payments.payoutstatuschange": scoped(**VIEW_ONLY),
    "reports.archivedproject": scoped(view=False),
    "reports.publication": scoped(view=False),
}


def staff(manager) -> dict:
    """Every role but the manager goes to the admin's sign-in page; the manager gets `manager`."""
    return table(ADMIN_LOGIN, manager=manager)


def _autocomplete(model_name, field_name):
    query = f"?app_label=programs&model_name={model_name}&field_name={field_name}"
    return lambda w: reverse("admin:autocomplete") + query


def _admin_routes() -> dict[str, Route]:
    routes = {
        "admin:index": Route(url("admin:index"), get=staff(200)),
        # A user's password, like the user: superusers only.
        "admin:auth_user_password_change": Route(
            lambda w: reverse("admin:auth_user_password_change", args=[w.admin["ours"][User].pk]),
            get=staff(403),
            post=staff(403),
        ),
        # Organizations are public: anyone in the admin may look one up for a participation.
        "admin:autocomplete[organization]": Route(
            _autocomplete("participation", "organization"), get=staff(200)
        ),
        # Picking a person for a role is for superusers.
        "admin:autocomplete[manager]": Route(
            _autocomplete("programmanager", "user"), get=staff(403)
        ),
        "admin:autocomplete[member]": Route(_autocomplete("membership", "user"), get=staff(403)),
    }
    models = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)
    for app_label in sorted({model._meta.app_label for model in models}):
        # An app the manager holds no permission in does not exist for them.
        visible = any(
            ADMIN_ACCESS[model._meta.label_lower]["changelist-GET"] == 200
            for model in models
            if model._meta.app_label == app_label
        )
        routes[f"admin:app_list[{app_label}]"] = Route(
            url("admin:app_list", lambda w, app_label=app_label: [app_label]),
            get=staff(200 if visible else 404),
        )
    for model in models:
        access = ADMIN_ACCESS[model._meta.label_lower]
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        routes[f"{name}_changelist"] = Route(
            url(f"{name}_changelist"), get=staff(access["changelist-GET"])
        )
        routes[f"{name}_add"] = Route(
            url(f"{name}_add"), get=staff(access["add-GET"]), post=staff(access["add-POST"])
        )
        for side in ("ours", "theirs"):
            row = partial(lambda w, side, model: [w.admin[side][model].pk], side=side, model=model)
            for view in ("change", "delete", "history"):
                methods = {
                    method.lower(): staff(access[f"{view}[{side}]-{method}"])
                    for method in ("GET", "POST")
                    if f"{view}[{side}]-{method}" in access
                }
                data = (lambda w: {"post": "yes"}) if view == "delete" else (lambda w: {})
                routes[f"{name}_{view}[{side}]"] = Route(
                    url(f"{name}_{view}", row), data=data, **methods
                )
    return routes


ROUTES.update(_admin_routes())


def outcome(response):
    if response.status_code in (301, 302):
        path = urlsplit(response["Location"]).path
        if path == reverse("admin:login"):
            return ADMIN_LOGIN
        return LOGIN if path == resolve_url(settings.LOGIN_URL) else REDIRECT
    return response.status_code


# One test per URL and method, each trying every role in a savepoint of its own: a test per
# cell cost ~40% more in pytest's and pytest-django's per-test set-up than in the requests.
CASES = [
    pytest.param(name, method, id=f"{name}-{method}")
    for name, route in ROUTES.items()
    for method in ("GET", "POST")
    if getattr(route, method.lower()) is not None
]
CELLS = len(CASES) * len(ROLES)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once: every cell runs in a savepoint inside this module's transaction."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            # One session per role, signed in once: Client.force_login costs a few
            # milliseconds (signals, session, last_login) that ~2,000 cells would repeat.
            sessions = {}
            for role in ROLES:
                if (user := built.user(role)) is not None:
                    signing_in = Client()
                    signing_in.force_login(user)
                    sessions[role] = signing_in.cookies[settings.SESSION_COOKIE_NAME].value
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built, sessions
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
        for proposal in (built.mine, built.theirs):
            proposal.attachment.storage.delete(proposal.attachment.name)


class Writes:
    """The data-changing statements run through the connection while it is installed (the
    session's own table left out: signing in and messages write there)."""

    WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        if self.WRITE.match(sql) and "django_session" not in sql:
            self.statements.append(sql)
        return execute(sql, params, many, context)


def try_cell(world, sessions, route, method, role):
    """The outcome of one request, and the writes it made; rolled back after."""
    cache.clear()  # rate limits count per person in the cache
    client = Client()
    if role in sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    address = route.url(world)
    send = client.get if method == "GET" else partial(client.post, data=route.data(world))
    writes = Writes()
    with transaction.atomic():
        with connection.execute_wrapper(writes):
            response = send(address)
        transaction.set_rollback(True)
    return outcome(response), writes.statements


@pytest.mark.parametrize(("name", "method"), CASES)
def test_route(world, db, name, method):
    """Every role's outcome is the declared one, and refused requests wrote nothing."""
    world, sessions = world
    route = ROUTES[name]
    declared = getattr(route, method.lower())
    got, wrote = {}, {}
    for role in ROLES:
        got[role], statements = try_cell(world, sessions, route, method, role)
        if declared[role] in REFUSED and statements:
            wrote[role] = statements
    wrong = {
        role: f"{got[role]}, declared {declared[role]}"
        for role in ROLES
        if got[role] != declared[role]
    }
    assert got == declared, f"{method} {route.url(world)}: {wrong}"
    assert not wrote, f"refused requests wrote: {wrote}"


# Completeness -------------------------------------------------------------------------------

# Admin pages without a row: the staff's own session and password, the admin's script
# translations, and "view on site" (no model has a page address: a 404 for every object). Its
# unnamed patterns only redirect to named ones (an object's old address, the catch-all).
ADMIN_LEFT_OUT = {
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:view_on_site",
}


def _patterns(entries=None, namespace=""):
    """The name (with its namespace), or the route if unnamed, of every URL pattern."""
    for entry in get_resolver().url_patterns if entries is None else entries:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else str(entry.pattern)
            in_admin = namespace.startswith("admin:")
            if not in_admin or (entry.name and name not in ADMIN_LEFT_OUT):
                yield name


def _row_name(name):
    return name.split("[")[0]


def test_every_url_has_a_row():
    routed = set(_patterns())
    rows = {_row_name(name) for name in ROUTES}
    assert not sorted(routed - rows), f"URL patterns without a row in ROUTES: {routed - rows}"
    assert not sorted(rows - routed), f"Rows for URLs no longer routed: {rows - routed}"


def test_each_row_requests_its_own_pattern(world, db):
    world, _sessions = world
    for name, route in ROUTES.items():
        match = resolve(urlsplit(route.url(world)).path)
        assert (match.view_name if match.url_name else match.route) == _row_name(name), name


def test_every_role_and_method_is_declared():
    for name, route in ROUTES.items():
        assert route.get is not None or route.post is not None, name
        for expected in (route.get, route.post):
            assert expected is None or set(expected) == set(ROLES), name
