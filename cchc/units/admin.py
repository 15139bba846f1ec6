from django.contrib import admin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    filter_horizontal = ("successors",)
