from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active")
    autocomplete_fields = ("unit",)
    fieldsets = (*BaseUserAdmin.fieldsets, (_("CCHC role"), {"fields": ("role", "unit")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("CCHC role"), {"fields": ("role", "unit")}))
