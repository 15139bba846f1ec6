from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Role, User
from .permissions import effective_role


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active")
    autocomplete_fields = ("unit",)
    fieldsets = (*BaseUserAdmin.fieldsets, (_("CCHC role"), {"fields": ("role", "unit")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("CCHC role"), {"fields": ("role", "unit")}))


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
