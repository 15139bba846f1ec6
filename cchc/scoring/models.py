"""Assessments of units on scoring templates: self-assessment, appraisal, survey and automatic points.

The criteria tree, its rules and all arithmetic live in the pure modules (`template`, `engine`); these
models only keep who entered which points when, the evidence, and the workflow state. The YAML text of
a template is stored with the row, so an assessment is always scored on the tree it was made with.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.scoring.template import Template, parse_template

POINTS = {"max_digits": 7, "decimal_places": 2, "null": True, "blank": True}

_PARSED: dict[tuple[int, int, str], Template] = {}


class ScoringTemplate(models.Model):
    """A criteria tree (YAML) loaded into the database; `version` grows when its text changes."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    year = models.PositiveIntegerField(_("year"))
    unit_kind = models.CharField(_("unit kind"), max_length=100)
    source = models.TextField(_("template (YAML)"))
    max_points = models.DecimalField(_("maximum points"), max_digits=7, decimal_places=2)
    version = models.PositiveIntegerField(_("version"), default=1)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("scoring template")
        verbose_name_plural = _("scoring templates")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def unit_kind_label(self) -> str:
        """The kinds of unit scored, in words ("UBND cấp huyện"), for pages and exports."""
        from cchc.units.models import UnitKind

        labels = dict(UnitKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in self.parsed.unit_kinds)

    @property
    def parsed(self) -> Template:
        """The validated criteria tree (cached per row version)."""
        key = (self.pk or 0, self.version, self.source)
        template = _PARSED.get(key)
        if template is None:
            template = parse_template(self.source)
            if len(_PARSED) > 64:
                _PARSED.clear()
            _PARSED[key] = template
        return template


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    APPRAISED = "appraised", _("Appraised")
    PUBLISHED = "published", _("Published")


EDITABLE_BY_UNIT = (Status.DRAFT, Status.RETURNED)
RANKED = (Status.APPRAISED, Status.PUBLISHED)


class Assessment(models.Model):
    """One unit scored on one template for one year; `version` guards against concurrent edits."""

    template = models.ForeignKey(
        ScoringTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="assessments"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    group = models.CharField(
        _("ranking group"),
        max_length=60,
        blank=True,
        help_text=_("Units are ranked among units of the same group (by default their kind)."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    appraised_at = models.DateTimeField(_("appraised at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["template", "-year", "unit__code"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["unit", "template", "year"], name="scoring_assessment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.template.code} — {self.year}"

    @property
    def is_locked(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def editable_by_unit(self) -> bool:
        return self.status in EDITABLE_BY_UNIT


class LeafScore(models.Model):
    """The points of one scored criterion (a leaf of the tree) in one assessment."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="leaves"
    )
    code = models.CharField(_("criterion code"), max_length=40)
    self_points = models.DecimalField(_("self-assessed points"), **POINTS)
    self_comment = models.TextField(_("self-assessment comment"), blank=True)
    appraised_points = models.DecimalField(_("appraised points"), **POINTS)
    appraisal_comment = models.TextField(_("appraisal comment"), blank=True)
    survey_points = models.DecimalField(_("survey points"), **POINTS)
    auto_points = models.DecimalField(_("automatic points"), **POINTS)
    auto_source = models.CharField(_("automatic source"), max_length=100, blank=True)
    auto_source_value = models.DecimalField(
        _("measured value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    remediation_note = models.TextField(_("remediation"), blank=True)
    responsible_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_in_version = models.PositiveIntegerField(_("changed in version"), default=1)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="scoring_leafscore_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.code}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """evidence/<assessment id>/<name>: the name is already made safe by the service."""
    folder = PurePosixPath("evidence") / str(instance.leaf_score.assessment_id)
    return str(folder / PurePosixPath(filename).name)


class Evidence(models.Model):
    """A file proving a self-assessed criterion; stored under CCHC_DATA_DIR/files/evidence/."""

    leaf_score = models.ForeignKey(
        LeafScore, verbose_name=_("criterion score"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["leaf_score", "uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


