from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "cchc.reporting"
    label = "reporting"
    verbose_name = _("Indicator reporting")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Catalog, RuleComment, Submission, Value

        auditlog.register(Catalog, exclude_fields=["source_text", "rules_text"])
        auditlog.register(Submission)
        auditlog.register(Value)
        auditlog.register(RuleComment)
