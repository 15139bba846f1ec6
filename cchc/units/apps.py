from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "cchc.units"
    verbose_name = _("Units")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Unit

        auditlog.register(Unit, m2m_fields={"successors"})
