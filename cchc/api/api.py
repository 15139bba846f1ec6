"""The REST API for other systems: reference lists, a submission's values and workflow, aggregates.

A thin layer over `cchc.reporting.services`, which does every check and write; here are only
authentication (a Bearer token issued in accounts, or the browser session with its CSRF token for
writes), lookups by code and the mapping of domain errors to HTTP: PermissionDenied → 403,
ValidationError → 422 with messages per indicator code, ConflictError → 409 with the codes changed
since the version the caller read. Every error body is `{"detail": "<Vietnamese message>"}`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import Field

from cchc.accounts.models import authenticate_token
from cchc.accounts.permissions import Action, can, require
from cchc.api import schemas as s
from cchc.periods.models import Period, PeriodKind
from cchc.reporting import services
from cchc.reporting.models import Catalog, Source, Status, Submission
from cchc.units.models import Unit, UnitKind

MAX_INT = 2**31 - 1  # what every database's integer column takes
UNITS_LIMIT = 5000


class BearerToken(HttpBearer):
    """`Authorization: Bearer cchc_…`: the user an active token was issued to."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return authenticate_token(token)


class SessionWithCsrf(APIKeyCookie):
    """The logged-in browser session; writes need the CSRF token like the web forms.

    Unlike ninja's `django_auth`, a request without a session is simply not authenticated here
    (so a bad token gives 401, not a CSRF error), and the CSRF refusal is in Vietnamese.
    """

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header of your session."))
        return user

    def _get_key(self, request: HttpRequest) -> str | None:  # pragma: no cover (not used)
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return request.user if request.user.is_authenticated else None


api = NinjaAPI(
    title="cchc API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    auth=[BearerToken(), SessionWithCsrf()],
    description=(
        "API cho các hệ thống tích hợp: danh mục đơn vị, kỳ báo cáo, bộ chỉ tiêu; đọc/ghi số liệu "
        "báo cáo, gửi, duyệt, trả lại; số liệu tổng hợp. Xác thực bằng `Authorization: Bearer <token>`."
    ),
)

READ_ERRORS = {401: s.Error, 403: s.Error, 404: s.Error, 422: s.FieldErrors}
WRITE_ERRORS = {**READ_ERRORS, 400: s.Error, 409: s.Conflict}


# --- errors --------------------------------------------------------------------------------------


def _error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = _("Authentication required: send a valid API token (Authorization: Bearer …).")
    response = _error(request, 401, message)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, _("You do not have permission to do this for this unit."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or _("Not found."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja's "Cannot parse request body"
        return _error(request, 400, _("The request body is not valid JSON (UTF-8)."))
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(services.ConflictError)
def _conflict(request: HttpRequest, exc: services.ConflictError) -> HttpResponse:
    return _error(
        request, 409, exc.message, current_version=exc.current_version, changed_codes=exc.changed_codes
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
    else:
        errors = {"submission": [str(m) for m in exc.messages]}
    first = next(iter(errors.values()))[0]
    return _error(request, 422, _("Invalid data: %(first)s") % {"first": first}, errors=errors)


def _loc(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "request"


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("this field is required")
    if kind.startswith(("int_", "float_")) or kind in ("greater_than_equal", "less_than_equal"):
        return _("must be a whole number within the allowed range")
    if kind.startswith("date"):
        return _("must be a date YYYY-MM-DD")
    if kind.startswith("bool"):
        return _("must be true or false")
    if kind.startswith(("dict_", "model_", "json")):
        return _("must be a JSON object of the documented shape")
    if kind.startswith("string") or kind.startswith("str"):
        return _("must be text")
    if kind == "enum" or kind == "literal_error":
        return _("is not one of the allowed values")
    return _("has an invalid value")


@api.exception_handler(RequestValidationError)
def _bad_request(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_loc(error.get("loc", ())), []).append(_pydantic_message(error))
    field, messages = next(iter(errors.items()), ("request", [_("has an invalid value")]))
    return _error(
        request,
        422,
        _("Invalid request: %(field)s %(problem)s") % {"field": field, "problem": messages[0]},
        errors=errors,
    )


# --- lookups -------------------------------------------------------------------------------------


def _clean(code: str) -> str:
    # PostgreSQL refuses NUL in text: such a code cannot exist, say so instead of failing.
    return code.replace("\x00", "")


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=_clean(code)).first()
    if unit is None or _clean(code) != code:
        raise Http404(_("No unit with code %(code)s.") % {"code": code})
    return unit


def _period(code: str) -> Period:
    period = Period.objects.filter(code=_clean(code)).first()
    if period is None or _clean(code) != code:
        raise Http404(_("No reporting period with code %(code)s.") % {"code": code})
    return period


def _catalog(code: str) -> Catalog:
    catalog = Catalog.objects.filter(code=_clean(code)).first()
    if catalog is None or _clean(code) != code:
        raise Http404(_("No indicator catalog with code %(code)s.") % {"code": code})
    return catalog


def _submission(unit: Unit, period: Period, catalog: Catalog) -> Submission | None:
    return (
        Submission.objects.filter(unit=unit, period=period, catalog=catalog)
        .select_related("unit", "period", "catalog")
        .first()
    )


def _approved(submission: Submission) -> bool:
    return submission.status == Status.APPROVED or (
        submission.status == Status.LOCKED and submission.approved_at is not None
    )


def _viewable(user: Any, unit: Unit, period: Period, catalog: Catalog) -> Submission:
    """The submission the user may read: the unit's own people and province officers any state,
    viewers (leaders) only approved reports."""
    scoped = can(user, Action.VIEW_UNIT_DATA, unit)
    if not scoped and not can(user, Action.VIEW):
        raise PermissionDenied
    submission = _submission(unit, period, catalog)
    if submission is None:
        if not scoped:
            raise PermissionDenied
        raise Http404(
            _("Unit %(unit)s has no submission for %(period)s on catalog %(catalog)s yet.")
            % {"unit": unit.code, "period": period.code, "catalog": catalog.code}
        )
    if not scoped and not _approved(submission):
        raise PermissionDenied
    return submission


def _existing(unit: Unit, period: Period, catalog: Catalog) -> Submission:
    submission = _submission(unit, period, catalog)
    if submission is None:
        raise Http404(
            _("Unit %(unit)s has no submission for %(period)s on catalog %(catalog)s yet.")
            % {"unit": unit.code, "period": period.code, "catalog": catalog.code}
        )
    return submission


# --- rendering -----------------------------------------------------------------------------------


def _submission_out(submission: Submission) -> dict[str, Any]:
    submission.refresh_from_db()
    report = services.validate(submission)
    values = {
        v.indicator_code: {
            "value": s.number(v.value),
            "text": v.text,
            "numerator": s.number(v.numerator),
            "denominator": s.number(v.denominator),
            "note": v.note,
            "non_aggregable": v.non_aggregable,
            "source": v.source,
            "version": v.version,
        }
        for v in submission.values.all()
        if not v.is_empty or v.note
    }
    rules = [
        {
            "rule_id": r.rule_id,
            "status": r.status.value,
            "severity": r.severity.value,
            "message": r.message,
            "left": s.number(r.left),
            "right": s.number(r.right),
            "missing": list(r.missing),
            "reason": r.reason,
            "comment": report.comments.get(r.rule_id, ""),
        }
        for r in report.results
    ]
    return {
        "unit": submission.unit.code,
        "period": submission.period.code,
        "catalog": submission.catalog.code,
        "status": submission.status,
        "version": submission.version,
        "is_editable": submission.is_editable,
        "submitted_at": submission.submitted_at,
        "on_time": submission.on_time,
        "approved_at": submission.approved_at,
        "returned_at": submission.returned_at,
        "return_comment": submission.return_comment,
        "values": values,
        "type_errors": report.type_errors,
        "rules": rules,
        "can_submit": report.can_submit,
    }


# --- reference lists -----------------------------------------------------------------------------


class UnitFilters(s.Schema):
    kind: UnitKind | None = Field(None, description="Loại đơn vị.")
    parent: str | None = Field(None, description="Mã đơn vị cấp trên trực tiếp.")
    at: s.IsoDate | None = Field(None, description="Chỉ các đơn vị tồn tại vào ngày này.")
    offset: int = Field(0, ge=0, le=MAX_INT)
    limit: int = Field(1000, ge=1, le=UNITS_LIMIT)


@api.get("/units", response={200: list[s.UnitOut], **READ_ERRORS}, tags=["reference"])
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> Any:
    """Units (đơn vị), ordered by code; filter by kind, direct parent and validity date."""
    require(request.auth, Action.VIEW)
    units = Unit.objects.select_related("parent").order_by("code")
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.parent is not None:
        units = units.filter(parent=_unit(filters.parent))
    if filters.at is not None:
        units = units.valid_at(filters.at)
    return [
        {
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "parent": u.parent.code if u.parent else None,
            "valid_from": u.valid_from,
            "valid_to": u.valid_to,
        }
        for u in units[filters.offset : filters.offset + filters.limit]
    ]


class PeriodFilters(s.Schema):
    year: int | None = Field(None, ge=1900, le=2999)
    kind: PeriodKind | None = None


@api.get("/periods", response={200: list[s.PeriodOut], **READ_ERRORS}, tags=["reference"])
def list_periods(request: HttpRequest, filters: Query[PeriodFilters]) -> Any:
    """Reporting periods (kỳ báo cáo) with their data windows and deadlines."""
    require(request.auth, Action.VIEW)
    periods = Period.objects.all()
    if filters.year is not None:
        periods = periods.filter(year=filters.year)
    if filters.kind:
        periods = periods.filter(kind=filters.kind)
    return list(periods)


@api.get("/catalogs", response={200: list[s.CatalogOut], **READ_ERRORS}, tags=["reference"])
def list_catalogs(request: HttpRequest) -> Any:
    """Indicator catalogs (bộ chỉ tiêu) and the unit kinds and years they apply to."""
    require(request.auth, Action.VIEW)
    return list(Catalog.objects.order_by("code"))


class CatalogPath(s.Schema):
    code: str = Field(description="Mã bộ chỉ tiêu.", examples=["bnv-2021"])


@api.get(
    "/catalogs/{code}/indicators", response={200: list[s.IndicatorOut], **READ_ERRORS}, tags=["reference"]
)
def list_indicators(request: HttpRequest, path: Path[CatalogPath]) -> Any:
    """A catalog's indicators in order, with value types, options and aggregation."""
    require(request.auth, Action.VIEW)
    return list(_catalog(path.code).indicators.order_by("order"))


# --- submissions ---------------------------------------------------------------------------------

SUBMISSION = "/submissions/{unit}/{period}/{catalog}"


class Codes(s.Schema):
    """A submission's path, documented with the demo's codes (also what schemathesis tries first)."""

    unit: str = Field(description="Mã đơn vị.", examples=["GL"])
    period: str = Field(description="Mã kỳ báo cáo.", examples=["2021-H1"])
    catalog: str = Field(description="Mã bộ chỉ tiêu.", examples=["bnv-2021"])

    def objects(self) -> tuple[Unit, Period, Catalog]:
        return _unit(self.unit), _period(self.period), _catalog(self.catalog)


@api.get(SUBMISSION, response={200: s.SubmissionOut, **READ_ERRORS}, tags=["submissions"])
def get_submission(request: HttpRequest, codes: Path[Codes]) -> Any:
    """A unit's report for a period: values, status, version (for PUT) and rule results."""
    return _submission_out(_viewable(request.auth, *codes.objects()))


def _raw(item: s.ValueIn) -> dict[str, Any]:
    raw = {"value": item.value, "numerator": item.numerator, "denominator": item.denominator}
    if item.note is not None:
        raw["note"] = item.note
    return raw


def _nul_errors(payload: s.ValuesIn) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for code, item in payload.values.items():
        raws = (item.value, item.numerator, item.denominator)
        texts = [code, item.note] + [v for v in raws if isinstance(v, str)]
        if any(t and "\x00" in t for t in texts):
            errors[code.replace("\x00", "\\0")] = [_("contains a NUL character")]
    return errors


@api.put(SUBMISSION, response={200: s.SubmissionOut, **WRITE_ERRORS}, tags=["submissions"])
def put_submission(
    request: HttpRequest, codes: Path[Codes], payload: s.ValuesIn
) -> Any:
    """Save values (all or nothing); creates the draft on first save. Send the `version` you read:
    if someone saved since, nothing is written and 409 lists the indicator codes they changed."""
    user = request.auth
    unit_obj, period_obj, catalog_obj = codes.objects()
    require(user, Action.ENTER_DATA, unit_obj)
    errors = _nul_errors(payload)
    if errors:
        raise ValidationError(errors)
    submission = services.get_or_create_submission(unit_obj, period_obj, catalog_obj, user)
    data = {code: _raw(item) for code, item in payload.values.items()}
    services.save_values(submission, user, data, payload.version, source=Source.API)
    return _submission_out(submission)


@api.post(SUBMISSION + "/submit", response={200: s.SubmissionOut, **WRITE_ERRORS}, tags=["workflow"])
def submit_submission(
    request: HttpRequest, codes: Path[Codes], payload: s.SubmitIn | None = None
) -> Any:
    """Send the report to the province; rule errors (and unexplained warnings) refuse it with 422."""
    unit_obj, period_obj, catalog_obj = codes.objects()
    require(request.auth, Action.ENTER_DATA, unit_obj)
    submission = _existing(unit_obj, period_obj, catalog_obj)
    version = payload.version if payload is not None else None
    services.submit(submission, request.auth, version)
    return _submission_out(submission)


@api.post(SUBMISSION + "/approve", response={200: s.SubmissionOut, **WRITE_ERRORS}, tags=["workflow"])
def approve_submission(request: HttpRequest, codes: Path[Codes]) -> Any:
    """Approve a submitted report (province officers of the unit's province)."""
    unit_obj, period_obj, catalog_obj = codes.objects()
    require(request.auth, Action.APPROVE, unit_obj)
    submission = _existing(unit_obj, period_obj, catalog_obj)
    services.approve(submission, request.auth)
    return _submission_out(submission)


@api.post(SUBMISSION + "/return", response={200: s.SubmissionOut, **WRITE_ERRORS}, tags=["workflow"])
def return_submission(
    request: HttpRequest, codes: Path[Codes], payload: s.ReturnIn
) -> Any:
    """Return a submitted or approved report to its unit with the reason (province officers)."""
    unit_obj, period_obj, catalog_obj = codes.objects()
    require(request.auth, Action.APPROVE, unit_obj)
    submission = _existing(unit_obj, period_obj, catalog_obj)
    if "\x00" in payload.comment:
        raise ValidationError({"comment": [_("contains a NUL character")]})
    services.return_submission(submission, request.auth, payload.comment)
    return _submission_out(submission)


# --- aggregates ----------------------------------------------------------------------------------


class AggregateFilters(s.Schema):
    include_submitted: bool = Field(
        False, description="Tính cả báo cáo đã gửi chưa duyệt (chỉ cán bộ có quyền xem số liệu đơn vị)."
    )
    at: s.IsoDate | None = Field(None, description="Cây đơn vị tại ngày này (mặc định: cuối kỳ).")


@api.get(
    "/aggregates/{unit}/{period}/{catalog}",
    response={200: s.AggregateOut, **READ_ERRORS},
    tags=["aggregates"],
)
def get_aggregate(
    request: HttpRequest, codes: Path[Codes], filters: Query[AggregateFilters]
) -> Any:
    """Roll-up of the approved reports of every unit under `unit`: counts summed, rates recomputed
    from summed numerators and denominators. Viewers see approved data only."""
    user = request.auth
    unit_obj, period_obj, catalog_obj = codes.objects()
    if filters.include_submitted:
        require(user, Action.VIEW_UNIT_DATA, unit_obj)
    else:
        require(user, Action.VIEW)
    report = services.aggregate(
        unit_obj, period_obj, catalog_obj, filters.at, include_submitted=filters.include_submitted
    )
    return {
        "unit": report.unit,
        "period": report.period,
        "catalog": report.catalog,
        "at": report.at,
        "units": list(report.units),
        "indicators": {
            code: {
                "aggregation": a.aggregation,
                "value": s.number(a.value),
                "numerator": s.number(a.numerator),
                "denominator": s.number(a.denominator),
                "counts": dict(a.counts) if a.counts is not None else None,
                "units": list(a.units),
                "non_aggregable": list(a.non_aggregable),
                "invalid": list(a.invalid),
                "missing": list(a.missing),
                "partial": a.partial,
            }
            for code, a in report.indicators.items()
        },
    }
