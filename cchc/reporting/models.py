"""Stored indicator catalogs, unit submissions per period and their values (DHIS2-style data sets).

A `Catalog` keeps the exact CSV texts it was loaded from (catalog and rules) with their hashes, so a
submission made against version N can always be re-read with the indicators it was typed against;
`Indicator` and `RuleDef` rows are the queryable copy of those files. One `Submission` per unit ×
period × catalog carries the workflow status and an optimistic-lock `version`; each `Value` records
the version it was last written at, which is how a conflict names what changed.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.reporting import catalog as pure_catalog
from cchc.reporting import rules as pure_rules

VALUE_DIGITS = 24
VALUE_PLACES = 6


class Catalog(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    version = models.CharField(_("version"), max_length=40, default="1")
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    source_text = models.TextField(_("catalog file text"))
    source_hash = models.CharField(_("catalog file SHA-256"), max_length=64)
    rules_name = models.CharField(_("rules file"), max_length=255, blank=True)
    rules_text = models.TextField(_("rules file text"), blank=True)
    rules_hash = models.CharField(_("rules file SHA-256"), max_length=64, blank=True)
    unit_kinds = models.JSONField(_("reporting unit kinds"), default=list, blank=True)
    valid_from_year = models.PositiveSmallIntegerField(_("valid from year"), null=True, blank=True)
    valid_to_year = models.PositiveSmallIntegerField(_("valid to year"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator catalog")
        verbose_name_plural = _("indicator catalogs")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @cached_property
    def pure(self) -> pure_catalog.Catalog:
        """The catalog parsed from its stored text (the source of truth for checks and sums)."""
        return pure_catalog.parse_catalog(self.source_text, name=self.code)

    @cached_property
    def rules(self) -> tuple[pure_rules.Rule, ...]:
        if not self.rules_text.strip():
            return ()
        return pure_rules.parse_rules(self.rules_text, self.pure)

    def applies_to_year(self, year: int) -> bool:
        return (self.valid_from_year is None or self.valid_from_year <= year) and (
            self.valid_to_year is None or year <= self.valid_to_year
        )


class Indicator(models.Model):
    catalog = models.ForeignKey(
        Catalog, verbose_name=_("catalog"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=40)
    parent_code = models.CharField(_("parent code"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=10)
    name = models.TextField(_("name"))
    unit = models.CharField(_("unit of measure"), max_length=120, blank=True)
    value_type = models.CharField(_("value type"), max_length=10, blank=True)
    choices = models.JSONField(_("options"), default=list, blank=True)
    aggregation = models.CharField(_("aggregation"), max_length=15, blank=True)
    temporal = models.CharField(_("temporal kind"), max_length=10, blank=True)
    numerator_label = models.CharField(_("numerator"), max_length=255, blank=True)
    denominator_label = models.CharField(_("denominator"), max_length=255, blank=True)
    order = models.PositiveIntegerField(_("order"))

    class Meta:
        ordering = ["catalog", "order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="reporting_indicator_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RuleDef(models.Model):
    catalog = models.ForeignKey(
        Catalog, verbose_name=_("catalog"), on_delete=models.CASCADE, related_name="rule_defs"
    )
    rule_id = models.CharField(_("rule id"), max_length=40)
    left = models.TextField(_("left expression"))
    operator = models.CharField(_("operator"), max_length=4)
    right = models.TextField(_("right expression"))
    severity = models.CharField(_("severity"), max_length=10)
    message = models.TextField(_("message"))
    order = models.PositiveIntegerField(_("order"))

    class Meta:
        ordering = ["catalog", "order"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        constraints = [
            models.UniqueConstraint(fields=["catalog", "rule_id"], name="reporting_rule_id"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.left} {self.operator} {self.right}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    LOCKED = "locked", _("Locked")


EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


class Submission(models.Model):
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="submissions"
    )
    period = models.ForeignKey(
        "periods.Period", verbose_name=_("period"), on_delete=models.PROTECT, related_name="submissions"
    )
    catalog = models.ForeignKey(
        Catalog, verbose_name=_("catalog"), on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_legacy = models.BooleanField(_("imported from a legacy report"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("returned by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    return_comment = models.TextField(_("return comment"), blank=True)

    class Meta:
        ordering = ["period", "unit__code"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "catalog"], name="reporting_submission_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} · {self.period.code} · {self.catalog.code}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE and self.period.is_open

    @property
    def submitted_on(self) -> dt.date | None:
        """The local date of submission (what the deadline is compared with)."""
        if self.submitted_at is None:
            return None
        return timezone.localtime(self.submitted_at).date()

    @property
    def on_time(self) -> bool | None:
        """Submitted on or before the period's deadline; None while not submitted."""
        day = self.submitted_on
        return None if day is None else day <= self.period.deadline


class Source(models.TextChoices):
    MANUAL = "manual", _("Typed in")
    XLSX = "xlsx", _("XLSX upload")
    API = "api", _("API")
    DOSSIERS = "dossiers", _("One-stop dossiers")
    LEGACY = "legacy", _("Legacy report")


class Value(models.Model):
    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="values"
    )
    indicator_code = models.CharField(_("indicator code"), max_length=40)
    value = models.DecimalField(
        _("value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    text = models.TextField(_("text or option code"), blank=True)
    numerator = models.DecimalField(
        _("numerator"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    non_aggregable = models.BooleanField(
        _("rate without its counts (not aggregable)"), default=False
    )
    version = models.PositiveIntegerField(_("submission version when written"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["submission", "id"]
        verbose_name = _("value")
        verbose_name_plural = _("values")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator_code"], name="reporting_value_unique"
            ),
        ]

    def __str__(self) -> str:
        shown = self.text if self.value is None else self.value
        return f"{self.indicator_code} = {shown}"

    @property
    def is_empty(self) -> bool:
        return (
            self.value is None and not self.text and self.numerator is None and self.denominator is None
        )


class RuleComment(models.Model):
    """Why a warning is acceptable: a failed warning rule needs one before the unit may submit."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="rule_comments"
    )
    rule_id = models.CharField(_("rule id"), max_length=40)
    comment = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["submission", "rule_id"]
        verbose_name = _("rule comment")
        verbose_name_plural = _("rule comments")
        constraints = [
            models.UniqueConstraint(fields=["submission", "rule_id"], name="reporting_rule_comment"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.comment[:40]}"
