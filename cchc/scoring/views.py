"""Scoring pages: template viewer, self-assessment, appraisal, results with ranking, unit scorecard.

Thin layer: every figure comes from `cchc.scoring.services` (which calls the pure engine) and every
write goes through a service, which checks the permission again and records the audit trail. Numbers
are rendered the Vietnamese way (28,94) by `vi_number`, the same text the exports use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.accounts.permissions import Action, can, require, requires, unit_scope
from cchc.units.models import Unit
from cchc.units.queries import descendant_ids

from . import services
from .engine import ScoreError, score
from .exports import export_results_xlsx, lost_points_docx
from .forms import EvidenceForm, ReturnForm, comment_field, points_field
from .models import Assessment, Evidence, LeafScore, ScoringTemplate, Status
from .numbers import vi_number
from .template import Criterion, Rule, Template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

METHOD_LABELS = {
    "manual": gettext_lazy("Self-assessed by the unit, then appraised"),
    "indicator": gettext_lazy("Computed from a reporting indicator"),
    "metric": gettext_lazy("Computed from a measured figure"),
    "survey": gettext_lazy("From the sociological survey"),
}
UNIT_SEES_APPRAISAL = (Status.APPRAISED, Status.PUBLISHED)


# --- formatting --------------------------------------------------------------------------------------


def fmt(value: Decimal | int | None, places: int | None = None) -> str:
    """Vietnamese number text ("0,5", "28,94"); an empty string for no value."""
    if value is None:
        return ""
    return vi_number(Decimal(value), places)


def signed(value: Decimal | int | None, places: int | None = None) -> str:
    """A change with its sign (+1,5 / −2); empty when there is nothing to compare with."""
    if value is None:
        return ""
    text = fmt(abs(Decimal(value)), places)
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text
    return text


def describe_rule(node: Criterion) -> str:
    """How an automatic criterion turns its measured value into points, in words."""
    rule: Rule | None = node.rule
    if rule is None:
        return ""
    if rule.type == "proportional":
        return _("Points proportional to the value, full points at the target %(target)s") % {
            "target": fmt(rule.target)
        }
    if rule.type == "threshold":
        template = (
            _("Full points when the value is at least %(threshold)s, otherwise %(partial)s")
            if rule.direction == "at_least"
            else _("Full points when the value is at most %(threshold)s, otherwise %(partial)s")
        )
        return template % {"threshold": fmt(rule.threshold), "partial": fmt(rule.partial)}
    if rule.type == "bands":
        steps = "; ".join(
            _("from %(min)s: %(points)s points") % {"min": fmt(band.min), "points": fmt(band.points)}
            for band in rule.bands
        )
        return _("Points by level: %(steps)s") % {"steps": steps}
    if rule.type == "boolean":
        return _("Full points when achieved, none otherwise")
    if rule.type == "penalty":
        return _("Minus %(per)s points for each case, down to %(floor)s") % {
            "per": fmt(rule.per),
            "floor": fmt(rule.floor),
        }
    return rule.type


def _walk(nodes: tuple[Criterion, ...], depth: int = 0) -> Iterator[tuple[Criterion, int]]:
    for node in nodes:
        yield node, depth
        yield from _walk(node.children, depth + 1)


def slug(code: str) -> str:
    """An HTML id fragment for a criterion code (dots are awkward in CSS selectors)."""
    return code.replace(".", "-")


# --- lookups -----------------------------------------------------------------------------------------


def _template(code: str) -> ScoringTemplate:
    return get_object_or_404(ScoringTemplate, code=code)


def _assessment(pk: int) -> Assessment:
    return get_object_or_404(Assessment.objects.select_related("template", "unit"), pk=pk)


def _messages_of(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _evidence_by_code(assessment: Assessment) -> dict[str, list[Evidence]]:
    found: dict[str, list[Evidence]] = {}
    for evidence in Evidence.objects.filter(leaf_score__assessment=assessment).select_related("leaf_score"):
        found.setdefault(evidence.leaf_score.code, []).append(evidence)
    return found


def _can_see_card(user: Any, assessment: Assessment) -> bool:
    """Published results are public to every role; before that only the unit and the province see them."""
    return assessment.status == Status.PUBLISHED or can(user, Action.VIEW_UNIT_DATA, assessment.unit)


def input_number(value: Decimal | None) -> str:
    """Points as typed back into an input: a decimal comma, no thousands dot ("0,5")."""
    if value is None:
        return ""
    return fmt(value).replace(".", "")


def _totals(result: Any) -> dict[str, Any]:
    return {
        "total": fmt(result.total),
        "max": fmt(result.max),
        "index": fmt(result.index, 2),
        "band": result.band or "",
        "not_scored": len(result.not_scored),
        "areas": [
            {
                "code": area.code,
                "name": area.name,
                "score": fmt(area.score),
                "max": fmt(area.max),
                "index": fmt(area.index, 2),
            }
            for area in result.criteria
        ],
    }


def _leaf_points(node: Criterion, row: LeafScore | None) -> Decimal | None:
    """The automatic or survey points of a leaf (what the unit cannot type)."""
    if row is None:
        return None
    if node.method == "survey" and row.survey_points is not None:
        return row.survey_points
    return row.auto_points


def _rows(
    template: Template,
    result: Any,
    leaves: dict[str, LeafScore],
    evidence: dict[str, list[Evidence]],
    posted: Any = None,
) -> list[dict[str, Any]]:
    """One row per node of the tree, leaves with their self, appraised and automatic points."""
    rows = []
    for node, depth in _walk(template.criteria):
        node_result = result.nodes[node.code]
        entry: dict[str, Any] = {
            "code": node.code,
            "slug": slug(node.code),
            "name": node.name,
            "max": fmt(node.max),
            "depth": depth,
            "is_leaf": node.is_leaf,
            "is_area": depth == 0,
            "score": fmt(node_result.score),
            "method": node.method,
            "method_label": METHOD_LABELS.get(node.method, node.method),
            "rule": describe_rule(node),
            "source": node.source or "",
        }
        if node.is_leaf:
            row = leaves.get(node.code)
            p_name, c_name = points_field(node.code), comment_field(node.code)
            self_points = row.self_points if row else None
            entry.update(
                leaf=row,
                manual=node.method == "manual",
                points_name=p_name,
                comment_name=c_name,
                points_value=posted.get(p_name, "") if posted is not None else input_number(self_points),
                comment_value=posted.get(c_name, "")
                if posted is not None
                else (row.self_comment if row else ""),
                self_points=fmt(self_points),
                self_comment=row.self_comment if row else "",
                appraised=fmt(row.appraised_points) if row else "",
                appraised_input=input_number(row.appraised_points) if row else "",
                appraisal_comment=row.appraisal_comment if row else "",
                auto_points=fmt(_leaf_points(node, row)),
                figure=fmt(row.auto_source_value) if row else "",
                figure_source=row.auto_source if row else "",
                evidence=evidence.get(node.code, []),
            )
        rows.append(entry)
    return rows


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- template viewer ---------------------------------------------------------------------------------


def _redirect_to(page: str, assessment: Assessment) -> HttpResponse:
    """Back to the assessment's own page (`assessment` or `scorecard`), addressed by template, unit, year."""
    return redirect(
        f"scoring:{page}",
        code=assessment.template.code,
        unit_code=assessment.unit.code,
        year=assessment.year,
    )


@require_GET
@requires(Action.VIEW)
def template_list(request: HttpRequest) -> HttpResponse:
    """The scoring templates, the years assessed on each, and the user's own self-assessment links."""
    years: dict[int, set[int]] = {}
    for template_id, year in Assessment.objects.values_list("template_id", "year").distinct():
        years.setdefault(template_id, set()).add(year)
    user = request.user
    own_unit = (
        user.unit if getattr(user, "unit_id", None) and can(user, Action.ENTER_DATA, user.unit_id) else None
    )
    rows = []
    for template in ScoringTemplate.objects.all():
        template_years = sorted(years.get(template.pk, set()), reverse=True)
        own_years: list[int] = []
        if own_unit is not None:
            kinds = template.parsed.unit_kinds
            if "all" in kinds or own_unit.kind in kinds:
                own_years = sorted(set(template_years) | {template.year}, reverse=True)
        rows.append(
            {
                "template": template,
                "max": fmt(template.max_points),
                "years": template_years,
                "own_years": own_years,
            }
        )
    return render(request, "scoring/template_list.html", {"rows": rows, "own_unit": own_unit})


@require_GET
@requires(Action.VIEW)
def template_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The criteria tree with maximum points and the scoring method of each leaf, and the bands."""
    template = _template(code)
    parsed = template.parsed
    rows = [
        {
            "code": node.code,
            "name": node.name,
            "max": fmt(node.max),
            "depth": depth,
            "is_leaf": node.is_leaf,
            "is_area": depth == 0,
            "method_label": METHOD_LABELS.get(node.method, node.method) if node.is_leaf else "",
            "rule": describe_rule(node),
            "source": node.source or "",
            "description": node.description,
        }
        for node, depth in _walk(parsed.criteria)
    ]
    bands = [{"label": band.label, "min": fmt(band.min)} for band in parsed.bands]
    years = sorted(
        set(Assessment.objects.filter(template=template).values_list("year", flat=True)), reverse=True
    )
    return render(
        request,
        "scoring/template_detail.html",
        {
            "template": template,
            "parsed": parsed,
            "rows": rows,
            "bands": bands,
            "max": fmt(parsed.max),
            "leaf_count": len(parsed.leaves()),
            "years": years,
        },
    )


# --- self-assessment ---------------------------------------------------------------------------------


@require_GET
@requires(Action.VIEW_UNIT_DATA)
def assessment_page(request: HttpRequest, code: str, unit_code: str, year: int) -> HttpResponse:
    """The self-assessment form of a unit (editable by its reporters while draft or returned)."""
    template = _template(code)
    unit = get_object_or_404(Unit, code=unit_code)
    require(request.user, Action.VIEW_UNIT_DATA, unit)
    found = (
        Assessment.objects.filter(template=template, unit=unit, year=year)
        .select_related("template", "unit")
        .first()
    )
    if found is None:
        return render(
            request,
            "scoring/assessment_start.html",
            {
                "template": template,
                "unit": unit,
                "year": year,
                "can_start": can(request.user, Action.ENTER_DATA, unit),
            },
        )
    return _render_assessment(request, found)


def _render_assessment(
    request: HttpRequest,
    assessment: Assessment,
    *,
    posted: Any = None,
    errors: list[str] | None = None,
    conflict: str = "",
    version: int | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    parsed = assessment.template.parsed
    leaves = {row.code: row for row in assessment.leaves.all()}
    result = services.score_assessment(assessment, leaves.values())
    evidence = _evidence_by_code(assessment)
    unit = assessment.unit
    editable = assessment.editable_by_unit and can(user, Action.ENTER_DATA, unit)
    context = {
        "assessment": assessment,
        "template": assessment.template,
        "unit": unit,
        "year": assessment.year,
        "rows": _rows(parsed, result, leaves, evidence, posted),
        "totals": _totals(result),
        "editable": editable,
        "show_appraisal": assessment.status in UNIT_SEES_APPRAISAL,
        "can_appraise": can(user, Action.APPROVE, unit)
        and assessment.status in (Status.SUBMITTED, Status.APPRAISED),
        "version": assessment.version if version is None else version,
        "errors": errors or [],
        "conflict": conflict,
        "status_label": Status(assessment.status).label,
    }
    return render(request, "scoring/assessment.html", context, status=status)


@require_POST
@requires(Action.ENTER_DATA, write=True, url_name="scoring:start")
def start(request: HttpRequest, code: str, unit_code: str, year: int) -> HttpResponse:
    """Open the unit's self-assessment for the year (one row per scored criterion)."""
    template = _template(code)
    unit = get_object_or_404(Unit, code=unit_code)
    require(request.user, Action.ENTER_DATA, unit)
    try:
        services.get_or_create_assessment(template, unit, year, request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("scoring:template", code=template.code)
    return redirect("scoring:assessment", code=template.code, unit_code=unit.code, year=year)


def _posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@require_POST
@requires(Action.ENTER_DATA, write=True, url_name="scoring:save")
def save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the unit's points and comments (optimistic lock on the version shown); optionally submit."""
    assessment = _assessment(pk)
    require(request.user, Action.ENTER_DATA, assessment.unit)
    version = _posted_version(request)
    if version is None:
        return _render_assessment(
            request,
            assessment,
            posted=request.POST,
            errors=[_("The form is missing its version number: reload the page and enter the points again.")],
            status=400,
        )
    scores: dict[str, tuple[str, str]] = {}
    for leaf in assessment.template.parsed.leaves():
        if leaf.method != "manual":
            continue
        p_name, c_name = points_field(leaf.code), comment_field(leaf.code)
        if p_name in request.POST or c_name in request.POST:
            scores[leaf.code] = (request.POST.get(p_name, ""), request.POST.get(c_name, ""))
    submitting = request.POST.get("action") == "submit"
    try:
        services.save_self_scores(assessment, request.user, scores, version)
    except services.ConflictError as exc:
        return _render_assessment(
            request, assessment, posted=request.POST, conflict=exc.message, version=version, status=409
        )
    except ValidationError as exc:
        return _render_assessment(request, assessment, posted=request.POST, errors=_messages_of(exc))
    if submitting:
        try:
            services.submit(assessment, request.user, assessment.version)
        except ValidationError as exc:
            return _render_assessment(request, assessment, posted=request.POST, errors=_messages_of(exc))
        messages.success(request, _("The self-assessment was saved and sent for appraisal."))
    else:
        messages.success(request, _("The self-assessment was saved."))
    return _redirect_to("assessment", assessment)


@require_GET
@requires(Action.VIEW_UNIT_DATA)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Live totals while the unit types (HTMX): the saved points with the typed ones, nothing stored."""
    assessment = _assessment(pk)
    require(request.user, Action.VIEW_UNIT_DATA, assessment.unit)
    parsed = assessment.template.parsed
    points = {code: value for code, value in services.final_points(assessment).items() if value is not None}
    errors: list[str] = []
    for leaf in parsed.leaves():
        name = points_field(leaf.code)
        if leaf.method != "manual" or name not in request.GET:
            continue
        try:
            value = services.parse_points(leaf.code, request.GET[name], leaf.max)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if value is None:
            points.pop(leaf.code, None)
        else:
            points[leaf.code] = value
    try:
        result = score(parsed, points)
    except ScoreError as exc:  # pragma: no cover - the points were checked above
        raise Http404(str(exc)) from exc
    node_scores = [
        {"slug": slug(node.code), "score": fmt(node.score)}
        for node in result.nodes.values()
        if node.children
    ]
    return render(
        request,
        "scoring/_totals.html",
        {"totals": _totals(result), "preview_errors": errors, "node_scores": node_scores},
    )


def _evidence_block(
    request: HttpRequest, assessment: Assessment, code: str, errors: list[str] | None = None
) -> HttpResponse:
    evidence = _evidence_by_code(assessment).get(code, [])
    context = {
        "assessment": assessment,
        "row": {"code": code, "slug": slug(code), "evidence": evidence, "manual": True},
        "editable": assessment.editable_by_unit and can(request.user, Action.ENTER_DATA, assessment.unit),
        "upload_errors": errors or [],
    }
    return render(request, "scoring/_evidence.html", context)


def _after_evidence(
    request: HttpRequest, assessment: Assessment, code: str, errors: list[str]
) -> HttpResponse:
    if _is_htmx(request):
        return _evidence_block(request, assessment, code, errors)
    for message in errors:
        messages.error(request, message)
    return _redirect_to("assessment", assessment)


@require_POST
@requires(Action.ENTER_DATA, write=True, url_name="scoring:upload")
def upload(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Attach an evidence file to a criterion; errors (type, size, content) are shown beside it."""
    assessment = _assessment(pk)
    require(request.user, Action.ENTER_DATA, assessment.unit)
    leaf = get_object_or_404(LeafScore, assessment=assessment, code=code)
    form = EvidenceForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.add_evidence(leaf, form.cleaned_data["file"], request.user)
        except ValidationError as exc:
            errors = _messages_of(exc)
    else:
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
    if not errors and not _is_htmx(request):
        messages.success(request, _("The evidence file was added."))
    return _after_evidence(request, assessment, code, errors)


@require_POST
@requires(Action.ENTER_DATA, write=True, url_name="scoring:delete_evidence")
def delete_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an evidence file while the unit may still change its self-assessment."""
    evidence = get_object_or_404(
        Evidence.objects.select_related("leaf_score__assessment__unit", "leaf_score__assessment__template"),
        pk=pk,
    )
    assessment = evidence.leaf_score.assessment
    require(request.user, Action.ENTER_DATA, assessment.unit)
    errors: list[str] = []
    try:
        services.delete_evidence(evidence, request.user)
    except ValidationError as exc:
        errors = _messages_of(exc)
    return _after_evidence(request, assessment, evidence.leaf_score.code, errors)


@require_GET
@requires(Action.VIEW_UNIT_DATA)
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file, only for the unit's own users and the province (checked by the service)."""
    evidence = get_object_or_404(Evidence.objects.select_related("leaf_score__assessment__unit"), pk=pk)
    handle, name, content_type = services.evidence_for_download(evidence, request.user)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


# --- appraisal ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Action.APPROVE, write=True, url_name="scoring:appraise")
def appraise(request: HttpRequest, pk: int) -> HttpResponse:
    """The council's points and comments beside the unit's own points, comments and evidence."""
    assessment = _assessment(pk)
    require(request.user, Action.APPROVE, assessment.unit)
    parsed = assessment.template.parsed
    errors: list[str] = []
    conflict = ""
    posted = None
    version = assessment.version
    if request.method == "POST":
        posted = request.POST
        scores = {
            leaf.code: (
                request.POST.get(f"appraised-{leaf.code}", ""),
                request.POST.get(f"acomment-{leaf.code}", ""),
            )
            for leaf in parsed.leaves()
            if f"appraised-{leaf.code}" in request.POST
        }
        posted_version = _posted_version(request)
        try:
            services.save_appraisal(assessment, request.user, scores, posted_version)
        except services.ConflictError as exc:
            conflict = exc.message
            version = posted_version if posted_version is not None else version
        except ValidationError as exc:
            errors = _messages_of(exc)
        else:
            messages.success(request, _("The appraisal was saved."))
            return redirect("scoring:appraise", pk=assessment.pk)
    leaves = {row.code: row for row in assessment.leaves.all()}
    result = services.score_assessment(assessment, leaves.values())
    rows = _rows(parsed, result, leaves, _evidence_by_code(assessment))
    for row in rows:
        if row["is_leaf"] and posted is not None:
            row["appraised_input"] = posted.get(f"appraised-{row['code']}", "")
            row["appraisal_comment"] = posted.get(f"acomment-{row['code']}", "")
    context = {
        "assessment": assessment,
        "template": assessment.template,
        "unit": assessment.unit,
        "year": assessment.year,
        "rows": rows,
        "totals": _totals(result),
        "version": version,
        "errors": errors,
        "conflict": conflict,
        "editable": assessment.status in (Status.SUBMITTED, Status.APPRAISED),
        "can_return": assessment.status == Status.SUBMITTED,
        "return_form": ReturnForm(),
        "status_label": Status(assessment.status).label,
    }
    return render(request, "scoring/appraise.html", context, status=409 if conflict else 200)


@require_POST
@requires(Action.APPROVE, write=True, url_name="scoring:return")
def return_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a submitted self-assessment back to the unit with the reason."""
    assessment = _assessment(pk)
    require(request.user, Action.APPROVE, assessment.unit)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the assessment is returned."))
        return redirect("scoring:appraise", pk=assessment.pk)
    try:
        services.return_for_revision(assessment, request.user, form.cleaned_data["reason"])
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("scoring:appraise", pk=assessment.pk)
    messages.success(request, _("The self-assessment was returned to the unit."))
    return redirect("scoring:results", code=assessment.template.code, year=assessment.year)


# --- results -----------------------------------------------------------------------------------------

SORT_KEYS = ("unit", "total", "index", "rank", "band", "change")


def _visible_results(request: HttpRequest, template: ScoringTemplate, year: int) -> list[services.ResultRow]:
    """Officers see every assessment of their province (drafts unranked); others the published ones."""
    user = request.user
    if not can(user, Action.APPROVE):
        return services.results(template, year, published_only=True)
    rows = services.results(template, year)
    scope = unit_scope(user)
    if scope is not None:
        rows = [row for row in rows if row.unit.pk in scope]
    return rows


def _sorted(rows: list[services.ResultRow], key: str, descending: bool, template: Template) -> list:
    band_order = {band.label: position for position, band in enumerate(template.bands)}
    missing_last = Decimal("-1e9") if descending else Decimal("1e9")

    def value(row: services.ResultRow) -> Any:
        if key == "unit":
            return row.unit.name
        if key == "total":
            return row.total
        if key == "index":
            return row.index
        if key == "rank":
            return row.rank if row.rank is not None else (-1 if descending else 10**9)
        if key == "band":
            # higher band first when ascending by "quality"
            return -band_order.get(row.band or "", len(band_order))
        return row.index_change if row.index_change is not None else missing_last

    return sorted(rows, key=lambda row: (value(row), row.unit.code), reverse=descending)


@require_GET
@requires(Action.VIEW)
def results(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The results table of template × year: total, index, rank, band, change; a bar chart of indices."""
    template = _template(code)
    parsed = template.parsed
    rows = _visible_results(request, template, year)
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir", "asc") == "desc"
    if sort in SORT_KEYS:
        rows = _sorted(rows, sort, descending, parsed)
    user = request.user
    officer = can(user, Action.APPROVE)
    table = []
    for row in rows:
        unit = row.unit
        table.append(
            {
                "unit": unit,
                "status": row.status,
                "status_label": Status(row.status).label,
                "total": fmt(row.total),
                "max": fmt(row.max),
                "index": fmt(row.index, 2),
                "rank": row.rank,
                "group_size": row.group_size,
                "band": row.band or "",
                "points_change": signed(row.points_change),
                "index_change": signed(row.index_change, 2) if row.index_change is not None else "",
                "rank_change": signed(row.rank_change),
                "rank_change_value": row.rank_change,
                "scorecard_url": reverse(
                    "scoring:scorecard", kwargs={"code": code, "unit_code": unit.code, "year": year}
                ),
                "assessment_url": reverse(
                    "scoring:assessment", kwargs={"code": code, "unit_code": unit.code, "year": year}
                )
                if can(user, Action.VIEW_UNIT_DATA, unit)
                else "",
                "appraise_url": reverse("scoring:appraise", kwargs={"pk": row.assessment.pk})
                if officer
                and row.status in (Status.SUBMITTED, Status.APPRAISED)
                and can(user, Action.APPROVE, unit)
                else "",
            }
        )
    by_index = sorted(rows, key=lambda row: (-row.index, row.unit.code))
    chart = {
        "labels": [row.unit.name for row in by_index],
        "values": [float(row.index) for row in by_index],
        "ranked": [row.rank is not None for row in by_index],
        "label": _("Index (%)"),
    }
    columns = []
    for key, label in (
        ("unit", _("Unit")),
        ("total", _("Points")),
        ("index", _("Index (%)")),
        ("rank", _("Rank")),
        ("band", _("Band")),
        ("change", _("Change from last year")),
    ):
        active = sort == key
        if active:
            next_dir = "asc" if descending else "desc"
        else:
            next_dir = "asc" if key in ("unit", "rank") else "desc"
        columns.append(
            {
                "key": key,
                "label": label,
                "url": f"?sort={key}&dir={next_dir}",
                "active": active,
                "aria": ("descending" if descending else "ascending") if active else "none",
            }
        )
    years = sorted(
        set(Assessment.objects.filter(template=template).values_list("year", flat=True)), reverse=True
    )
    context = {
        "template": template,
        "year": year,
        "years": years,
        "table": table,
        "chart": chart,
        "chart_height": 60 + 26 * len(table),
        "columns": columns,
        "officer": officer,
        "can_publish": officer and any(row.status == Status.APPRAISED for row in rows),
        "previous_year": year - 1,
        "max": fmt(parsed.max),
    }
    return render(request, "scoring/results.html", context)


@require_POST
@requires(Action.APPROVE, write=True, url_name="scoring:publish")
def publish(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Publish and lock the appraised assessments of template × year (the officer's province)."""
    template = _template(code)
    try:
        outcome = services.publish(template, year, request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        text = _("%(count)s assessments were published and locked.") % {"count": len(outcome["published"])}
        if outcome["skipped"]:
            text += " " + _("Not yet appraised, left unpublished: %(units)s.") % {
                "units": ", ".join(a.unit.name for a in outcome["skipped"])
            }
        messages.success(request, text)
    return redirect("scoring:results", code=template.code, year=year)


@require_GET
@requires(Action.APPROVE)
def results_xlsx(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The results table as XLSX (the province's working file: it lists drafts too)."""
    template = _template(code)
    data = export_results_xlsx(template, year)
    return HttpResponse(
        data,
        content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="ket-qua-{template.code}-{year}.xlsx"'},
    )


# --- scorecard ---------------------------------------------------------------------------------------


def _responsible_choices(unit: Unit, current: list[Unit | None]) -> list[Unit]:
    ids = descendant_ids(unit.pk)
    choices = list(
        Unit.objects.filter(Q(pk__in=ids) | Q(pk__in=[u.pk for u in current if u])).order_by("code")
    )
    return choices


@require_GET
@requires(Action.VIEW)
def scorecard(request: HttpRequest, code: str, unit_code: str, year: int) -> HttpResponse:
    """A unit's scorecard: points per area with a chart, lost points with the remediation notes."""
    template = _template(code)
    unit = get_object_or_404(Unit, code=unit_code)
    assessment = get_object_or_404(
        Assessment.objects.select_related("template", "unit"), template=template, unit=unit, year=year
    )
    user = request.user
    if not _can_see_card(user, assessment):
        raise PermissionDenied
    report = services.lost_points(assessment)
    see_evidence = can(user, Action.VIEW_UNIT_DATA, unit)
    evidence = _evidence_by_code(assessment) if see_evidence else {}
    comparison = next(
        (row for row in services.results(template, year) if row.assessment.pk == assessment.pk), None
    )
    areas = [
        {
            "code": area.code,
            "name": area.name,
            "score": fmt(area.score),
            "max": fmt(area.max),
            "index": fmt(area.index, 2),
            "lost": fmt(area.lost),
            "rank": area.rank,
        }
        for area in report.areas
    ]
    lost = [
        {
            "code": leaf.code,
            "slug": slug(leaf.code),
            "name": leaf.name,
            "area_code": leaf.area_code,
            "max": fmt(leaf.max),
            "points": fmt(leaf.points),
            "lost": fmt(leaf.lost),
            "responsible_unit": leaf.responsible_unit,
            "note": leaf.remediation_note,
            "evidence": evidence.get(leaf.code, []),
        }
        for leaf in report.leaves
    ]
    can_edit_notes = can(user, Action.ENTER_DATA, unit) or can(user, Action.APPROVE, unit)
    chart = {
        "labels": [f"{area.code}. {area.name}" for area in report.areas],
        "values": [float(area.index) for area in report.areas],
        "label": _("Index (%)"),
    }
    context = {
        "assessment": assessment,
        "template": template,
        "unit": unit,
        "year": year,
        "status_label": Status(assessment.status).label,
        "total": fmt(report.total),
        "max": fmt(report.max),
        "index": fmt(report.index, 2),
        "band": report.band or "",
        "lost_total": fmt(report.lost),
        "rank": report.rank,
        "group_size": report.group_size,
        "areas": areas,
        "lost": lost,
        "chart": json.loads(json.dumps(chart)),
        "can_edit_notes": can_edit_notes,
        "responsible_choices": _responsible_choices(unit, [leaf.responsible_unit for leaf in report.leaves])
        if can_edit_notes
        else [],
        "comparison": {
            "previous_total": fmt(comparison.previous_total),
            "previous_index": fmt(comparison.previous_index, 2)
            if comparison.previous_index is not None
            else "",
            "previous_rank": comparison.previous_rank,
            "points_change": signed(comparison.points_change),
            "index_change": signed(comparison.index_change, 2) if comparison.index_change is not None else "",
            "rank_change": signed(comparison.rank_change),
        }
        if comparison is not None and comparison.previous_total is not None
        else None,
        "see_evidence": see_evidence,
        "can_open_assessment": see_evidence,
    }
    return render(request, "scoring/scorecard.html", context)


@require_POST
@requires(Action.VIEW_UNIT_DATA, write=True, url_name="scoring:remediation")
def remediation(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what the unit did about each lost criterion and who is responsible (any status)."""
    assessment = _assessment(pk)
    if not (
        can(request.user, Action.ENTER_DATA, assessment.unit)
        or can(request.user, Action.APPROVE, assessment.unit)
    ):
        raise PermissionDenied
    codes = {leaf.code for leaf in assessment.template.parsed.leaves()}
    notes: dict[str, tuple[str, str]] = {}
    for code in codes:
        note_name, unit_name = f"note-{code}", f"responsible-{code}"
        if note_name in request.POST or unit_name in request.POST:
            notes[code] = (request.POST.get(note_name, ""), request.POST.get(unit_name, ""))
    try:
        services.save_remediation(assessment, request.user, notes)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The remediation notes were saved."))
    return _redirect_to("scorecard", assessment)


@require_GET
@requires(Action.VIEW)
def lost_points_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's lost-points report as DOCX (same visibility as the scorecard)."""
    assessment = _assessment(pk)
    if not _can_see_card(request.user, assessment):
        raise PermissionDenied
    data = lost_points_docx(assessment)
    name = f"diem-bi-tru-{assessment.unit.code}-{assessment.year}.docx"
    return HttpResponse(
        data, content_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@require_POST
@requires(Action.VIEW_UNIT_DATA, write=True, url_name="scoring:compute_auto")
def compute_auto(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill the automatic criteria from the approved reports and the dossier store, then go back."""
    assessment = _assessment(pk)
    if not (
        can(request.user, Action.ENTER_DATA, assessment.unit)
        or can(request.user, Action.APPROVE, assessment.unit)
    ):
        raise PermissionDenied
    try:
        points, missing = services.fill_automatic(assessment, request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(count)s automatic criteria were computed.") % {"count": len(points)}
        )
        if missing:
            messages.warning(
                request,
                _("No data yet for the automatic criteria: %(codes)s.") % {"codes": ", ".join(missing)},
            )
    return _redirect_to("assessment", assessment)
