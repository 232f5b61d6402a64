"""Project ideas: the public, filterable list and the team's pages to publish and edit them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from applications import selectors
from applications.forms import IdeaFilterForm, IdeaForm
from applications.services import ideas
from programs import selectors as program_selectors
from programs.forms import add_service_errors
from programs.models import Role

IDEAS_PER_PAGE = 25


def idea_list(request, slug):
    """Ideas of the accepted organizations, filtered by organization, size, skill and text."""
    program = program_selectors.program_get(slug=slug, viewer=request.user)
    participations = list(program_selectors.accepted_participations(program=program))
    form = IdeaFilterForm(request.GET or None, program=program, participations=participations)
    filters = form.filters() if form.is_bound else {}
    # Paged: each idea renders its Markdown, so a whole season's ideas on one page took seconds
    # (bench/RESULTS.md: 2,000 ideas, 3.6 MB, 0.5 requests/s before paging).
    page = Paginator(
        selectors.ideas_of_program(program=program, **filters), IDEAS_PER_PAGE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "program": program,
        "form": form,
        "ideas": page.object_list,
        "page": page,
        "page_query": query.urlencode(),
        "filtered": any(filters.values()),
        "team_of": program_selectors.team_participation_ids(user=request.user),
    }
    return render(request, "applications/idea_list.html", context)


def _idea_form_page(request, *, participation, idea=None):
    form = IdeaForm(
        request.POST or None,
        program=participation.program,
        team=ideas.team_members(participation=participation),
        initial=(
            {
                "title": idea.title,
                "description": idea.description,
                "size": idea.size,
                "skills": idea.skills,
                "mentors": list(idea.mentors.all()),
            }
            if idea
            else {"mentors": [request.user]}
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if idea is None:
                idea = ideas.idea_create(
                    participation=participation, by=request.user, **form.cleaned_data
                )
                messages.success(request, f"“{idea.title}” is published.")
            else:
                ideas.idea_update(idea=idea, by=request.user, **form.cleaned_data)
                messages.success(request, f"“{idea.title}” was saved.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            url = reverse("idea_list", args=[participation.program.slug])
            return redirect(f"{url}?organization={participation.organization.slug}#idea-{idea.pk}")
    context = {
        "form": form,
        "idea": idea,
        "participation": participation,
        "program": participation.program,
        "organization": participation.organization,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/idea_form.html", context, status=status)


@login_required
def idea_new(request, program_slug, org_slug):
    """An org admin or mentor publishes a new idea of their organization."""
    participation, roles = program_selectors.participation_for_member(
        program_slug=program_slug, org_slug=org_slug, user=request.user
    )
    # Managers may look at proposals, but ideas are written by the organization's own team.
    if not roles & {Role.ORG_ADMIN, Role.MENTOR}:
        raise Http404("No such organization in this program, or you are not one of its team.")
    return _idea_form_page(request, participation=participation)


@login_required
def idea_edit(request, pk):
    """The organization's team edits one of its ideas."""
    idea = ideas.idea_for_editor(pk=pk, user=request.user)
    return _idea_form_page(request, participation=idea.participation, idea=idea)
