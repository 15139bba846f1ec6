"""One-stop dossier dashboard: cards, charts, level × field, late dossiers without apology, drill-down, 766.

Every page reads the dossier store (DuckDB over its Parquet version) through :mod:`cchc.onestop.analytics`
and :mod:`cchc.onestop.index766`; nothing here computes a figure. All roles with VIEW see the
dashboard; a unit reporter sees only the dossiers of their own unit (the unit filter is forced).
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any
from urllib.parse import urlencode

import pyarrow as pa
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.accounts.models import Role
from cchc.accounts.permissions import Action, effective_role, requires
from cchc.periods import windows

from . import analytics, index766
from .metrics import month_windows
from .store import DossierStore

PAGE_SIZE = 50
LATE_PREVIEW = 10
LEVEL_LABELS = {
    "tinh": gettext_lazy("Province (departments)"),
    "huyen": gettext_lazy("District"),
    "xa": gettext_lazy("Commune"),
    "nganh_doc": gettext_lazy("Central-sector office"),
}
CHANNEL_LABELS = {
    "truc_tiep": gettext_lazy("In person"),
    "truc_tuyen_toan_trinh": gettext_lazy("Fully online"),
    "truc_tuyen_mot_phan": gettext_lazy("Partly online"),
    "buu_chinh": gettext_lazy("Postal service"),
}
OUTCOME_LABELS = {
    "early": gettext_lazy("Early"),
    "on_time": gettext_lazy("On time"),
    "late": gettext_lazy("Late"),
    "in_progress": gettext_lazy("In progress"),
    "overdue": gettext_lazy("Overdue"),
}

_cache_lock = threading.Lock()
_cache: dict[str, Any] = {}


def store_table(store: DossierStore | None = None) -> pa.Table | None:
    """The live version of the store as a table (None when empty); kept while the version is the same."""
    store = store or DossierStore()
    current = store.current_dir()
    pattern = store.glob()
    if current is None or pattern is None:
        return None
    key = str(current.resolve())
    with _cache_lock:
        if _cache.get("key") == key:
            return _cache["table"]
    table = analytics.load_table(pattern)
    with _cache_lock:
        _cache.clear()
        _cache.update(key=key, table=table)
    return table


def _parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _visible_units(request: HttpRequest) -> tuple[str, ...] | None:
    """None = every unit; a reporter only their own unit (none without a unit)."""
    if effective_role(request.user) == Role.REPORTER:
        unit = request.user.unit
        return (unit.code,) if unit is not None else ()
    return None


def _unit_names(codes: list[str]) -> dict[str, str]:
    from cchc.units.models import Unit

    return dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))


def _context(request: HttpRequest, table: pa.Table) -> dict[str, Any]:
    """Filters from the query string, checked; problems become Vietnamese messages, never a 500."""
    errors: list[str] = []
    visible = _visible_units(request)
    data_range = analytics.date_range(
        analytics.filter_table(table, analytics.Filters(dt.date.min, dt.date.max, units=visible))
    )
    if data_range is None:
        data_range = analytics.date_range(table) or (dt.date.today(), dt.date.today())
    period_code = request.GET.get("period", "").strip()
    start, end = data_range
    if period_code:
        try:
            spec = windows.parse(period_code)
            start, end = spec.start, spec.end
        except windows.PeriodCodeError as exc:
            errors.append(str(exc))
            period_code = ""
    else:
        given_start = request.GET.get("from", "").strip()
        given_end = request.GET.get("to", "").strip()
        if given_start:
            start = _parse_date(given_start) or start
            if _parse_date(given_start) is None:
                errors.append(_("From date “%(value)s” is not a date (dd/mm/yyyy).") % {"value": given_start})
        if given_end:
            end = _parse_date(given_end) or end
            if _parse_date(given_end) is None:
                errors.append(_("To date “%(value)s” is not a date (dd/mm/yyyy).") % {"value": given_end})
        if end < start:
            errors.append(
                _("The to date %(end)s is before the from date %(start)s; the whole data range is shown.")
                % {"end": end.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")}
            )
            start, end = data_range
    level = request.GET.get("level", "").strip() or None
    field = request.GET.get("field", "").strip() or None
    unit = (request.GET.get("unit", "").strip() or None) if visible is None else None
    units = visible
    if unit:
        units = (unit,)
    filters = analytics.Filters(start, end, level, field, units)

    options = analytics.choices(analytics.filter_table(table, analytics.Filters(start, end, units=visible)))
    names = _unit_names(options["units"])
    years = range(data_range[0].year, data_range[1].year + 2)
    periods = [
        spec
        for year in years
        for spec in windows.periods_of_year(year)
        if spec.start <= data_range[1] and spec.end >= data_range[0]
    ]
    query = {
        k: v
        for k, v in {
            "period": period_code,
            "from": "" if period_code else start.isoformat(),
            "to": "" if period_code else end.isoformat(),
            "level": level or "",
            "field": field or "",
            "unit": unit or "",
        }.items()
        if v
    }
    return {
        "filters": filters,
        "errors": errors,
        "period_code": period_code,
        "periods": periods,
        "levels": [(code, LEVEL_LABELS.get(code, code)) for code in options["levels"]],
        "fields": options["fields"],
        "units": [(code, names.get(code, code)) for code in options["units"]],
        "unit_names": names,
        "selected_unit": unit if visible is None else None,
        "reporter_unit": visible[0] if visible else None,
        "own_only": visible is not None,
        "query": urlencode(query),
        "query_dict": query,
    }


def _level_order(level: str) -> tuple[int, str]:
    """Province, district, commune, sector offices, then anything else."""
    order = list(LEVEL_LABELS)
    return (order.index(level) if level in order else len(order), level)


def _empty(request: HttpRequest, title: str) -> HttpResponse:
    return render(request, "onestop/empty.html", {"title": title})


def _month_choices(filters: analytics.Filters) -> list[tuple[str, dt.date, dt.date]]:
    return month_windows(filters.start, filters.end)


def _index_rows(request: HttpRequest, table: pa.Table, ctx: dict[str, Any]) -> dict[str, Any]:
    """The 766 index of each visible unit for the chosen data month (default: the last full one)."""
    filters: analytics.Filters = ctx["filters"]
    months = _month_choices(filters)
    wanted = request.GET.get("month", "").strip()
    chosen = next((m for m in months if m[0] == wanted), None)
    if chosen is None:
        complete = [m for m in months if (windows.parse(m[0]).start, windows.parse(m[0]).end) == (m[1], m[2])]
        chosen = (complete or months)[-1]
    year, number = int(chosen[0][:4]), int(chosen[0][-2:])
    data = analytics.filter_table(
        table, analytics.Filters(filters.start, filters.end, filters.level, filters.field, filters.units)
    )
    rows = index766.service_index(data, year, number)
    names = ctx["unit_names"]
    for row in rows:
        row["name"] = names.get(row["unit"], row["unit"])
    template = index766.service_template()
    missing_names = []
    if rows:
        missing_names = [leaf["name"] for leaf in rows[0]["leaves"] if not leaf["has_data"]]
    return {
        "index_rows": rows,
        "index_month": chosen[0],
        "index_window": (windows.parse(chosen[0]).start, windows.parse(chosen[0]).end),
        "index_months": [m[0] for m in months],
        "index_groups": [(area.code, area.name, area.max) for area in template.criteria],
        "index_missing": missing_names,
    }


@requires(Action.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The one-stop dashboard: cards, on-time rate by unit, monthly trend, level × field, late, 766 index."""
    table = store_table()
    if table is None:
        return _empty(request, _("One-stop dossiers"))
    ctx = _context(request, table)
    overview = analytics.overview(table, ctx["filters"])
    names = ctx["unit_names"]
    for row in overview["units"]:
        row["name"] = names.get(row["unit"], row["unit"])
    late_count, late_rows = analytics.late_without_apology(table, ctx["filters"], limit=LATE_PREVIEW)
    for row in late_rows:
        row["unit_name"] = names.get(row["unit_code"], row["unit_code"])
    level_field: dict[str, list[dict[str, Any]]] = {}
    for cell in overview["level_field"]:
        level_field.setdefault(cell["level"] or "", []).append(cell)
    chart = {
        "units": {
            "labels": [row["name"] for row in overview["units"] if row["on_time_rate"] is not None],
            "values": [row["on_time_rate"] for row in overview["units"] if row["on_time_rate"] is not None],
        },
        "months": {
            "labels": [row["month"] for row in overview["months"]],
            "on_time": [row["on_time_rate"] for row in overview["months"]],
            "online": [row["online_rate"] for row in overview["months"]],
            "received": [row["received"] for row in overview["months"]],
        },
        "labels": {"on_time": _("On-time rate (%)"), "online": _("Online rate (%)")},
    }
    ctx.update(
        overview=overview,
        total=overview["total"],
        late_rows=late_rows,
        late_count=late_count,
        level_field=[
            (LEVEL_LABELS.get(level, level), sorted(cells, key=lambda c: (-c["received"], str(c["field"]))))
            for level, cells in sorted(level_field.items(), key=lambda item: _level_order(item[0]))
        ],
        chart=chart,
        chart_height=max(240, 22 * len(chart["units"]["labels"]) + 60),
        **_index_rows(request, table, ctx),
    )
    return render(request, "onestop/dashboard.html", ctx)


def _late_listing(request: HttpRequest, table: pa.Table, ctx: dict[str, Any]) -> dict[str, Any]:
    search = request.GET.get("q", "").strip()
    total, _rows = analytics.late_without_apology(table, ctx["filters"], search=search, limit=0)
    paginator = Paginator(range(total), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    offset = (page.number - 1) * PAGE_SIZE
    _total, rows = analytics.late_without_apology(
        table, ctx["filters"], search=search, limit=PAGE_SIZE, offset=offset
    )
    return {"search": search, "page": page, "rows": rows, "count": total}


def _decorate(rows: list[dict[str, Any]], names: dict[str, str], end: dt.date) -> None:
    for row in rows:
        row["unit_name"] = names.get(row["unit_code"], row["unit_code"])
        row["level_label"] = LEVEL_LABELS.get(row["level"], row["level"])
        row["channel_label"] = CHANNEL_LABELS.get(row["channel"], row["channel"])
        row["outcome"] = analytics.outcome(row, end)
        row["outcome_label"] = OUTCOME_LABELS[row["outcome"]]
        if row["completed_at"] is not None and row["deadline"] is not None:
            row["late_days"] = (row["completed_at"].date() - row["deadline"].date()).days


@requires(Action.VIEW)
def late(request: HttpRequest) -> HttpResponse:
    """Late dossiers without an apology letter, with filters, search and paging; links to the XLSX export."""
    table = store_table()
    if table is None:
        return _empty(request, _("Late dossiers without an apology letter"))
    ctx = _context(request, table)
    listing = _late_listing(request, table, ctx)
    _decorate(listing["rows"], ctx["unit_names"], ctx["filters"].end)
    ctx.update(listing)
    search_query = dict(ctx["query_dict"])
    if listing["search"]:
        search_query["q"] = listing["search"]
    ctx["export_query"] = urlencode(search_query)
    ctx["pager_query"] = ctx["export_query"]
    return render(request, "onestop/late.html", ctx)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@requires(Action.VIEW)
def late_xlsx(request: HttpRequest) -> HttpResponse:
    """The late-without-apology list as XLSX (every row of the filters, formula-safe text cells)."""
    table = store_table()
    if table is None:
        raise Http404(_("The dossier store is empty."))
    ctx = _context(request, table)
    search = request.GET.get("q", "").strip()
    _count, rows = analytics.late_without_apology(table, ctx["filters"], search=search)
    _decorate(rows, ctx["unit_names"], ctx["filters"].end)
    headers = [
        _("Dossier id"),
        _("Procedure code"),
        _("Procedure"),
        _("Field"),
        _("Unit code"),
        _("Unit"),
        _("Level"),
        _("Channel"),
        _("Received at"),
        _("Due"),
        _("Completed at"),
        _("Days late"),
    ]
    values = [
        [
            r["dossier_id"],
            r["procedure_code"],
            r["procedure_name"],
            r["field"],
            r["unit_code"],
            r["unit_name"],
            str(r["level_label"]),
            str(r["channel_label"]),
            r["received_at"],
            r["deadline"],
            r["completed_at"],
            r.get("late_days"),
        ]
        for r in rows
    ]
    buffer = io.BytesIO()
    analytics.write_xlsx(buffer, headers, values, title=_("Late without apology"))
    filters = ctx["filters"]
    name = f"ho-so-tre-han-chua-xin-loi-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx"
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(Action.VIEW)
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Drill-down from a unit to its dossiers in the window (paged), with its own cards."""
    table = store_table()
    if table is None:
        return _empty(request, _("One-stop dossiers"))
    visible = _visible_units(request)
    if visible is not None and code not in visible:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    ctx = _context(request, table)
    filters = ctx["filters"]
    unit_filters = analytics.Filters(filters.start, filters.end, filters.level, filters.field, (code,))
    search = request.GET.get("q", "").strip()
    total_rows, _unused = analytics.unit_dossiers(table, code, unit_filters, search=search, limit=0)
    page = Paginator(range(total_rows), PAGE_SIZE).get_page(request.GET.get("page"))
    _n, rows = analytics.unit_dossiers(
        table, code, unit_filters, search=search, limit=PAGE_SIZE, offset=(page.number - 1) * PAGE_SIZE
    )
    names = _unit_names([code])
    _decorate(rows, names, filters.end)
    overview = analytics.overview(table, unit_filters)
    ctx.update(
        unit_code=code,
        unit_name=names.get(code, code),
        total=overview["total"],
        rows=rows,
        page=page,
        count=total_rows,
        search=search,
        pager_query=urlencode({**ctx["query_dict"], **({"q": search} if search else {})}),
    )
    return render(request, "onestop/unit.html", ctx)


@requires(Action.ENTER_DATA, write=True, url_name="onestop:fill_indicators")
def fill_indicators(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    """Fill the unit's indicators 3.4.x and 7.8.3/7.8.4 for the period from the dossier store.

    Only those who may enter the unit's data (its reporters, admins) may: province officers approve
    reports, they do not write their figures. Then back to the report form, where the values show as
    "from dossiers".
    """
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.http import HttpResponseNotAllowed
    from django.shortcuts import get_object_or_404, redirect
    from django.urls import NoReverseMatch, reverse

    from cchc.accounts.permissions import require
    from cchc.periods.models import Period
    from cchc.units.models import Unit

    from .indicators import FieldListError, fill_from_dossiers

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    unit = get_object_or_404(Unit, code=unit_code)
    period = get_object_or_404(Period, code=period_code)
    require(request.user, Action.ENTER_DATA, unit)
    try:
        result = fill_from_dossiers(unit, period, user=request.user)
    except (ValidationError, FieldListError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        if result["values"]:
            messages.success(
                request,
                _("%(count)s indicators of %(period)s filled from dossiers.")
                % {"count": len(result["values"]), "period": period.code},
            )
        else:
            messages.warning(
                request, _("No dossier of this unit or its units was completed or received in the window.")
            )
    try:
        target = reverse("reporting:form", kwargs={"unit_code": unit.code, "period_code": period.code})
    except NoReverseMatch:
        target = reverse("onestop:dashboard")
    return redirect(target)
