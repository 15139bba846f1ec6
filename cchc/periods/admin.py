from django.contrib import admin

from .models import DeadlinePolicy, Period


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "start", "end", "deadline", "is_open")
    list_filter = ("kind", "year", "is_open")
    search_fields = ("code", "name")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ("kind", "days_after_window")
