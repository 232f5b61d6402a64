"""The admin scoped like the pages: a program manager sees and changes only the rows of the
programs they run (programs_managed), a superuser every row. Every app's admin builds on these
classes; accounts and audit, below programs, keep their own superusers-only checks.

- ProgramScopedAdmin, for a model with a program: `program_path` is the lookup from the model
  to it ("program", "participation__program"; "pk" for Program itself). It scopes the list,
  every object page (a row out of scope is a 404, as on the pages, not the admin's redirect),
  the choices of foreign keys to other scoped models, the list filters (which would otherwise
  name every program) and the inlines, whose parent's scope decides.
- SuperusersOnlyAdmin, for rows of no program that hold personal data (contributor profiles
  with dates of birth, writer profiles, the reminders' send log): managers read what they need
  on the pages.

People are never picked by a manager in the admin: a field naming a user is read-only to them,
and a model that needs one cannot be added by them. People take roles through invitations,
proposals and statements on the pages, which check and audit it.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.http import Http404

from programs.selectors import programs_managed


def _people_fields(model) -> list:
    """The editable fields of the model that name a user (foreign keys and many-to-many)."""
    user_model = get_user_model()
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete
        and field.is_relation
        and field.editable
        and field.related_model is user_model
    ]


def _picks_people(request, model) -> bool:
    """Whether adding a row of the model means picking a person, which only superusers do."""
    if request.user.is_superuser:
        return False
    return any(
        not (field.blank if field.many_to_many else field.null) for field in _people_fields(model)
    )


class _ScopedForms:
    """What scoped admins and their inlines share: people read-only to managers, and the
    choices of every foreign key to a scoped model limited to the rows the viewer may see."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f.name for f in _people_fields(self.model) if f.name not in fields]
        return fields

    def _scoped_choices(self, db_field, request, kwargs):
        related = self.admin_site._registry.get(db_field.related_model)
        if "queryset" not in kwargs and isinstance(related, ProgramScopedAdmin):
            kwargs["queryset"] = related.get_queryset(request)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ProgramScopedAdmin(_ScopedForms, admin.ModelAdmin):
    program_path = "program"

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows  # every program: no need to join the way to it
        managed = programs_managed(viewer=request.user).values("pk")
        return rows.filter(**{f"{self.program_path}__in": managed})

    def in_scope(self, request, obj) -> bool:
        """Whether the row belongs to a program the viewer runs."""
        return request.user.is_superuser or self.get_queryset(request).filter(pk=obj.pk).exists()

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such row, or not of a program you manage.")
        return obj

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def has_add_permission(self, request):
        return not _picks_people(request, self.model) and super().has_add_permission(request)

    def get_list_filter(self, request):
        # A related filter lists every row of the related model; these list those in scope.
        return [
            (entry, admin.RelatedOnlyFieldListFilter)
            if isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation
            else entry
            for entry in super().get_list_filter(request)
        ]


class ProgramScopedInline(_ScopedForms, admin.TabularInline):
    """An inline of a ProgramScopedAdmin: its rows are the parent's, in scope with it."""

    def _parent_in_scope(self, request, obj) -> bool:
        return obj is None or self.admin_site._registry[self.parent_model].in_scope(request, obj)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and self._parent_in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and self._parent_in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and self._parent_in_scope(request, obj)

    def has_add_permission(self, request, obj):
        if _picks_people(request, self.model):
            return False
        return super().has_add_permission(request, obj) and self._parent_in_scope(request, obj)


class SuperusersOnlyAdmin(admin.ModelAdmin):
    """Rows of no program holding personal data: only superusers see them in the admin."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)
