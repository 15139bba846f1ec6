"""Reporting periods (kỳ báo cáo) and their submission deadlines."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF_YEAR = "half", _("Half-year")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom")


class DeadlinePolicy(models.Model):
    """How many days after the end of its data window a period's reports are due."""

    kind = models.CharField(_("period kind"), max_length=10, choices=PeriodKind.choices, unique=True)
    days_after_window = models.PositiveSmallIntegerField(_("days after the data window ends"))

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: +{self.days_after_window}"


class Period(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=120)
    start = models.DateField(_("data window start"))
    end = models.DateField(_("data window end"))
    deadline = models.DateField(_("submission deadline"))
    is_open = models.BooleanField(_("open for reporting"), default=True)

    class Meta:
        ordering = ["-year", "start", "kind"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_window_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, date: dt.date) -> bool:
        return self.start <= date <= self.end
