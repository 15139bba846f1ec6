"""Organisation hierarchy with history: units have validity dates and successor links."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "tinh", _("Province (UBND tỉnh)")
    DEPARTMENT = "so_nganh", _("Department (sở, ban, ngành)")
    DISTRICT = "huyen", _("District (UBND cấp huyện)")
    COMMUNE = "xa", _("Commune (UBND cấp xã)")
    SECTOR = "nganh_doc", _("Central-sector office (ngành dọc)")
    OTHER = "other", _("Other")


class UnitQuerySet(models.QuerySet):
    def valid_at(self, date: dt.date | None = None) -> UnitQuerySet:
        """Units that exist on a date (today by default)."""
        date = date or timezone.localdate()
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=date),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=date),
        )


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("successor units"),
        symmetrical=False,
        blank=True,
        related_name="predecessors",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_valid_at(self, date: dt.date | None = None) -> bool:
        date = date or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= date) and (
            self.valid_to is None or self.valid_to >= date
        )
