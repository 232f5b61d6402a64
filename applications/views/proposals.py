"""The contributor's pages: registering for a program, writing, autosaving and submitting proposals.

Every rule is decided by the coding season's services (proposals, eligibility) at request time;
these views turn their refusals into form errors (400) and never lose what was typed.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts import ratelimit
from applications import selectors
from applications.forms import ContributorProfileForm, ProposalForm, ProposalStartForm
from applications.models import ContributorProfile, ProposalStatus
from applications.services import proposals as proposals_services
from applications.services.eligibility import contributor_register
from programs import selectors as program_selectors
from programs.forms import add_service_errors
from programs.models import MilestoneKind, MilestoneState

# The window codes services attach to deadline refusals: the page then shows the closing instant.
DEADLINE_CODES = {"window", "closed"}
SAVES_LIMITED = (
    "Too many saves in a short time: nothing was saved this time. Your text is still below; "
    "press the button again in {seconds} seconds."
)
AUTOSAVES_LIMITED = "Saving pauses for {seconds} seconds: too many saves in a short time."


def _coding_program(request, slug):
    program = program_selectors.program_get(slug=slug, viewer=request.user)
    if not program.is_coding:
        raise Http404("Only coding programs take proposals.")
    return program


def _window(program):
    return program.milestone(MilestoneKind.CONTRIBUTOR_APPLICATIONS)


def _window_past(program, now) -> bool:
    window = _window(program)
    return window is not None and window.state(now) == MilestoneState.PAST


def _draft_data(form) -> dict:
    """The fields that were sent and cleaned: an invalid one never stops the others being saved."""
    return {
        name: form.cleaned_data[name]
        for name in proposals_services.DRAFT_FIELDS
        if name in form.data and name in form.cleaned_data
    }


def _errors_json(form) -> dict[str, list[str]]:
    return {field: [str(m) for m in errors] for field, errors in form.errors.items()}


def _rate_limited(request, setting: str) -> int | None:
    """Seconds to wait when this user is over a proposal-write limit (settings.py), else None."""
    rate = getattr(settings, setting)
    return ratelimit.consume(scope=setting.lower(), ident=str(request.user.pk), rate=rate)


def _login_url(next_url: str) -> str:
    query = QueryDict(mutable=True)
    query["next"] = next_url
    return f"{resolve_url(settings.LOGIN_URL)}?{query.urlencode(safe='/')}"


@login_required
def register(request, slug):
    """Check the eligibility rules with the contributor's profile and register them."""
    program = _coding_program(request, slug)
    registration = selectors.registration_of(user=request.user, program=program)
    profile = ContributorProfile.objects.filter(user=request.user).first()
    form = ContributorProfileForm(request.POST or None, instance=profile)
    problems = []
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        profile.user = request.user
        profile.save()
        try:
            contributor_register(user=request.user, program=program, now=timezone.now())
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, f"You are registered for {program.name}. Start a proposal.")
            return redirect("my_proposals", slug=program.slug)
    context = {
        "program": program,
        "form": form,
        "problems": problems,
        "registration": registration,
        "window": _window(program),
        "window_past": _window_past(program, timezone.now()),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/register.html", context, status=status)


def _start_form(program, data=None, initial=None):
    return ProposalStartForm(
        data,
        initial=initial,
        participations=program_selectors.accepted_participations(program=program),
        ideas=selectors.ideas_of_program(program=program),
    )


@login_required
def my_proposals(request, slug):
    """The contributor's proposals in a program, the deadline and a way to start another."""
    program = _coding_program(request, slug)
    now = timezone.now()
    proposals = list(selectors.proposals_of_contributor(user=request.user, program=program))
    context = {
        "program": program,
        "proposals": proposals,
        "submitted_count": sum(p.status == ProposalStatus.SUBMITTED for p in proposals),
        "registration": selectors.registration_of(user=request.user, program=program),
        "window": _window(program),
        "window_past": _window_past(program, now),
        "start_form": _start_form(program),
    }
    return render(request, "applications/my_proposals.html", context)


@login_required
def proposal_new(request, slug):
    """Start a draft to an accepted organization, optionally on one of its ideas."""
    program = _coding_program(request, slug)
    if request.method == "POST":
        form = _start_form(program, data=request.POST)
        if form.is_valid():
            try:
                proposal = proposals_services.proposal_create(
                    contributor=request.user,
                    program=program,
                    participation=form.cleaned_data["participation"],
                    idea=form.cleaned_data["idea"],
                    now=timezone.now(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Your draft is ready. It saves as you type.")
                return redirect("proposal_edit", pk=proposal.pk)
        status = 400
    else:
        initial = {}
        idea_id = request.GET.get("idea", "")
        if idea_id.isdigit():
            idea = _start_form(program).fields["idea"].queryset.filter(pk=idea_id).first()
            if idea:
                initial = {"idea": idea.pk, "participation": idea.participation_id}
        form = _start_form(program, initial=initial)
        status = 200
    context = {
        "program": program,
        "form": form,
        "registration": selectors.registration_of(user=request.user, program=program),
        "window": _window(program),
        "window_past": _window_past(program, timezone.now()),
    }
    return render(request, "applications/proposal_new.html", context, status=status)


@login_required
def proposal_edit(request, pk):
    """Edit, save and submit one's own proposal; every submit attempt saves the draft first."""
    proposal = selectors.proposal_for_contributor(pk=pk, user=request.user)
    now = timezone.now()
    read_only = proposals_services.proposal_is_read_only(proposal=proposal, now=now)
    refusal_code = None
    in_sync = True  # whether the page's fields are what the server holds
    retry_after = None
    if request.method == "POST":
        retry_after = _rate_limited(request, "PROPOSAL_SAVE_RATE_LIMIT")
    if retry_after is not None:
        # Nothing is stored; the page comes back holding everything that was typed.
        form = ProposalForm(request.POST, proposal=proposal, read_only=read_only)
        form.add_error(None, SAVES_LIMITED.format(seconds=retry_after))
        in_sync = False
        status = 429
    elif request.method == "POST":
        saved = False
        form = ProposalForm(request.POST, request.FILES, proposal=proposal, read_only=read_only)
        valid = form.is_valid()
        action = request.POST.get("action", "save")
        try:
            proposal = proposals_services.proposal_save(
                proposal=proposal, by=request.user, data=_draft_data(form), now=now
            )
            saved = True
            upload = form.cleaned_data.get("attachment")
            if upload:
                proposal = proposals_services.proposal_attach(
                    proposal=proposal, by=request.user, upload=upload, now=now
                )
            if valid and action == "submit" and proposal.status == ProposalStatus.DRAFT:
                proposals_services.proposal_submit(proposal=proposal, by=request.user, now=now)
        except ValidationError as error:
            add_service_errors(form, error)
            refusal_code = getattr(error, "code", None)
        in_sync = saved and valid
        if valid and not form.errors:
            receipt = proposal.receipts.first()
            # Receipts issued by this request carry its instant.
            if receipt and receipt.submitted_at == now:
                messages.success(
                    request,
                    f"Received: receipt {receipt.number}. A copy is on its way to your e-mail.",
                )
            else:
                messages.success(request, "Draft saved.")
            return redirect("proposal_edit", pk=proposal.pk)
        proposal.refresh_from_db()
        status = 400
    else:
        form = ProposalForm(
            initial=ProposalForm.initial_for(proposal), proposal=proposal, read_only=read_only
        )
        status = 200
    window = _window(proposal.program)
    context = {
        "proposal": proposal,
        "program": proposal.program,
        "form": form,
        "read_only": read_only,
        "window": window,
        "window_past": _window_past(proposal.program, now),
        "show_deadline": refusal_code in DEADLINE_CODES and _window_past(proposal.program, now),
        "in_sync": in_sync,
        "receipt": proposal.receipts.first(),
        "length_options": {
            str(size): proposal.program.length_options.get(str(size), [])
            for size in proposal.program.sizes_offered
        },
        # Submitted proposals are saved with the buttons only: each save issues a receipt.
        "autosave": proposal.status == ProposalStatus.DRAFT,
    }
    response = render(request, "applications/proposal_edit.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def proposal_autosave(request, pk):
    """Save typed fields from proposal.js; answers in JSON, never with a redirect."""
    edit_url = reverse("proposal_edit", args=[pk])
    if not request.user.is_authenticated:
        return JsonResponse(
            {"ok": False, "error": "signed_out", "login_url": _login_url(edit_url)}, status=401
        )
    try:
        proposal = selectors.proposal_for_contributor(pk=pk, user=request.user)
    except Http404:
        return JsonResponse({"ok": False, "error": "not_found"}, status=404)
    retry_after = _rate_limited(request, "PROPOSAL_AUTOSAVE_RATE_LIMIT")
    if retry_after is not None:
        # proposal.js keeps the text in the page and in local storage and tries again later.
        message = AUTOSAVES_LIMITED.format(seconds=retry_after)
        response = JsonResponse(
            {"ok": False, "error": "rate_limited", "message": message, "retry_after": retry_after},
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        return response
    try:
        base_revision = int(request.POST.get("revision", ""))
    except ValueError:
        return JsonResponse(
            {"ok": False, "errors": {"revision": ["Missing revision."]}}, status=400
        )
    form = ProposalForm(request.POST, proposal=proposal)
    valid = form.is_valid()
    try:
        proposal = proposals_services.proposal_save(
            proposal=proposal,
            by=request.user,
            data=_draft_data(form),
            now=timezone.now(),
            base_revision=base_revision,
        )
    except ValidationError as error:
        if getattr(error, "code", None) == "stale":
            return JsonResponse(
                {"ok": False, "error": "stale", "message": error.messages[0]}, status=409
            )
        add_service_errors(form, error)
        return JsonResponse({"ok": False, "errors": _errors_json(form)}, status=400)
    saved = {"revision": proposal.revision, "saved_at": proposal.updated_at.isoformat()}
    if not valid:  # the valid fields were saved; say which were not
        return JsonResponse({"ok": False, "errors": _errors_json(form), **saved}, status=400)
    return JsonResponse({"ok": True, **saved})


@login_required
@require_POST
def proposal_withdraw(request, pk):
    """Withdraw one's own proposal; a submitted one frees its slot."""
    proposal = selectors.proposal_for_contributor(pk=pk, user=request.user)
    try:
        proposals_services.proposal_withdraw(proposal=proposal, by=request.user, now=timezone.now())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("proposal_edit", pk=proposal.pk)
    messages.success(request, f"“{proposal}” was withdrawn.")
    return redirect("my_proposals", slug=proposal.program.slug)


@login_required
def proposal_attachment(request, pk):
    """The PDF, for its contributor and the organization's team (and managers); 404 otherwise."""
    try:
        proposal = selectors.proposal_for_contributor(pk=pk, user=request.user)
    except Http404:
        proposal = selectors.proposal_for_reviewer(pk=pk, user=request.user)
    if not proposal.attachment:
        raise Http404("This proposal has no attachment.")
    name = slugify(proposal.title)[:60] or f"proposal-{proposal.pk}"
    response = FileResponse(
        proposal.attachment.open("rb"),
        as_attachment=True,
        filename=f"{name}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
