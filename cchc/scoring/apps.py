from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "cchc.scoring"
    label = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Assessment, Evidence, LeafScore, ScoringTemplate

        auditlog.register(ScoringTemplate)
        auditlog.register(Assessment)
        auditlog.register(LeafScore)
        auditlog.register(Evidence)
