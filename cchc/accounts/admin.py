from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Role, User
from .permissions import effective_role


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active")
    autocomplete_fields = ("unit",)
    fieldsets = (*BaseUserAdmin.fieldsets, (_("CCHC role"), {"fields": ("role", "unit")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("CCHC role"), {"fields": ("role", "unit")}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens for integrating systems: issued here, shown once, revoked rather than deleted."""

    list_display = ("name", "user", "prefix", "created", "last_used", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "user__username", "prefix")
    autocomplete_fields = ("user",)
    readonly_fields = ("prefix", "created", "last_used")
    actions = ["revoke_tokens"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "prefix", "created", "last_used", "revoked"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        raw = None if change else obj.set_new_token()
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(
                request,
                gettext("Copy this token now, it will not be shown again: %(token)s")
                % {"token": raw},
            )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked__isnull=True):
            token.revoke()


def _admin_role_only(request: HttpRequest) -> bool:
    """Only admin-role users may enter the Django admin.

    Anonymous visitors get the admin login page; a signed-in officer, reporter or viewer gets
    403 instead of a login form that could never let them in.
    """
    user = request.user
    if not user.is_authenticated:
        return False
    if effective_role(user) != Role.ADMIN:
        raise PermissionDenied
    return True


admin.site.has_permission = _admin_role_only
admin.site.site_header = _("Administrative reform (CCHC) administration")
admin.site.site_title = _("CCHC administration")
admin.site.index_title = pgettext_lazy("navigation", "Administration")
