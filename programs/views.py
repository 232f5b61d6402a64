"""Pages of programs, timelines, organizations, teams and invitations."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from programs import selectors, services
from programs.calendar import program_calendar
from programs.csp import csp_update
from programs.forms import InvitationForm
from programs.hooks import program_sections
from programs.models import InvitationStatus


def program_list(request):
    """All programs the viewer may see, newest first."""
    programs = selectors.program_list(viewer=request.user).prefetch_related("milestones")
    now = timezone.now()
    rows = [
        (
            p,
            selectors.program_open_milestones(program=p, now=now),
            selectors.program_next_milestone(program=p, now=now),
        )
        for p in programs
    ]
    return render(request, "programs/program_list.html", {"rows": rows, "now": now})


def program_detail(request, slug):
    """A program with its whole timeline in UTC and local time."""
    program = selectors.program_get(slug=slug, viewer=request.user)
    now = timezone.now()
    context = {
        "program": program,
        "timeline": selectors.program_timeline(program=program, now=now),
        "next_milestone": selectors.program_next_milestone(program=program, now=now),
        "counts": selectors.program_counts(program=program),
        "now": now,
        "sections": program_sections(program=program, viewer=request.user),
    }
    return render(request, "programs/program_detail.html", context)


def program_organizations(request, slug):
    """The organizations accepted into a program."""
    program = selectors.program_get(slug=slug, viewer=request.user)
    participations = selectors.accepted_participations(program=program)
    return render(
        request,
        "programs/program_organizations.html",
        {"program": program, "participations": participations},
    )


def program_ics(request, slug):
    """The program's timeline as an iCalendar feed."""
    program = selectors.program_get(slug=slug, viewer=request.user)
    body = program_calendar(program=program, site_url=settings.SITE_URL, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{program.slug}.ics"'
    return response


# Organizations give their logo as the address of an image on their own site.
@csp_update(img_src=["https:"])
def organization_detail(request, slug):
    """An organization and the programs it takes part in."""
    organization, participations = selectors.organization_get(slug=slug, viewer=request.user)
    return render(
        request,
        "programs/organization_detail.html",
        {"organization": organization, "participations": participations},
    )


@login_required
def participation_team(request, program_slug, org_slug):
    """Org admins see their mentors and admins and invite new ones by e-mail."""
    participation = selectors.participation_for_admin(
        program_slug=program_slug, org_slug=org_slug, viewer=request.user
    )
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invitation_create(
                participation=participation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
                now=timezone.now(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect(request.path)
    members, invitations = selectors.participation_team(participation=participation)
    context = {
        "participation": participation,
        "members": members,
        "invitations": invitations,
        "form": form,
    }
    return render(request, "programs/participation_team.html", context)


@login_required
@require_POST
def invitation_revoke(request, program_slug, org_slug, pk):
    participation = selectors.participation_for_admin(
        program_slug=program_slug, org_slug=org_slug, viewer=request.user
    )
    invitation = get_object_or_404(
        participation.invitations, pk=pk, status=InvitationStatus.PENDING
    )
    services.invitation_revoke(invitation=invitation, by=request.user, now=timezone.now())
    messages.success(request, f"The invitation of {invitation.email} was withdrawn.")
    return redirect("participation_team", program_slug=program_slug, org_slug=org_slug)


def _answer_invitation(request, invitation):
    """Accept or decline on POST, else show the invitation; shared by both ways in."""
    now = timezone.now()
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                membership = services.invitation_accept(
                    invitation=invitation, user=request.user, now=now
                )
                messages.success(
                    request,
                    f"You are now {membership.get_role_display().lower()} of "
                    f"{membership.participation.organization} in "
                    f"{membership.participation.program}.",
                )
                return redirect("dashboard")
            if action == "decline":
                services.invitation_decline(invitation=invitation, now=now)
                messages.info(request, "You declined the invitation.")
                return redirect("dashboard" if request.user.is_authenticated else "home")
            error = "Choose accept or decline."
        except ValidationError as exc:
            error = exc.messages[0]
    return render(
        request,
        "programs/invitation_detail.html",
        {"invitation": invitation, "usable": invitation.is_usable(now), "error": error},
        status=400 if error else 200,
    )


def invitation_detail(request, token):
    """The page an invitation e-mail links to."""
    invitation = services.invitation_get_by_token(token)
    if invitation is None:
        raise Http404("This invitation link is not valid.")
    return _answer_invitation(request, invitation)


@login_required
def invitation_answer(request, pk):
    """The same page reached from the dashboard, for invitations to the user's own addresses."""
    invitation = get_object_or_404(
        selectors.invitations_for(user=request.user, now=timezone.now()), pk=pk
    )
    return _answer_invitation(request, invitation)
