"""Payments in the admin, scoped to the programs the viewer runs (programs/admin/scopes.py):
managers edit country factors; payouts and their history are read-only and change status only
through actions that call the workflow service."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from payments import services
from payments.models import CountryFactor, Payout, PayoutStatus, PayoutStatusChange
from programs.admin.scopes import ProgramScopedAdmin, ProgramScopedInline


@admin.register(CountryFactor)
class CountryFactorAdmin(ProgramScopedAdmin):
    list_display = ["program", "country", "factor"]
    list_filter = ["program"]
    search_fields = ["country"]


class HistoryInline(ProgramScopedInline):
    model = PayoutStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["from_status", "to_status", "by", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _move(modeladmin, request, queryset, to: str, reason: str):
    """Move each selected payout through the service; report the refused ones."""
    moved, refused = 0, []
    now = timezone.now()
    for payout in queryset:
        try:
            services.payout_transition(
                payout=payout, to=to, by=request.user, now=now, reason=reason
            )
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(getattr(error, "messages", None) or [str(error)])
            refused.append(f"{payout.reference}: {text}")
        else:
            moved += 1
    if moved:
        modeladmin.message_user(request, f"{moved} payout(s) moved to {to}.", messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.action(description="Approve the selected payouts")
def approve(modeladmin, request, queryset):
    _move(modeladmin, request, queryset, PayoutStatus.APPROVED, "approved in the admin")


@admin.action(description="Cancel the selected payouts")
def cancel(modeladmin, request, queryset):
    _move(modeladmin, request, queryset, PayoutStatus.CANCELED, "canceled in the admin")


@admin.register(Payout)
class PayoutAdmin(ProgramScopedAdmin):
    list_display = ["reference", "program", "payee", "milestone", "amount", "currency", "status"]
    list_filter = ["program", "milestone", "status", "currency"]
    search_fields = ["reference", "payee__email", "oc_expense_id"]
    list_select_related = ["program", "payee"]
    actions = [approve, cancel]
    inlines = [HistoryInline]

    def get_readonly_fields(self, request, obj=None):
        # Every field: amounts come from the rules and status only from the workflow.
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PayoutStatusChange)
class PayoutStatusChangeAdmin(ProgramScopedAdmin):
    program_path = "payout__program"
    list_display = ["payout", "from_status", "to_status", "by", "at", "reason"]
    list_filter = ["to_status"]
    search_fields = ["payout__reference"]
    list_select_related = ["payout", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
