from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeriodsConfig(AppConfig):
    name = "cchc.periods"
    verbose_name = _("Reporting periods")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import DeadlinePolicy, Period

        auditlog.register(Period)
        auditlog.register(DeadlinePolicy)
