"""REST API: token and session auth, reference lists, submission read/write, workflow, aggregates."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.accounts.models import ApiToken
from cchc.reporting import services
from cchc.reporting.models import Source, Status, Submission, Value
from tests.api.conftest import SUBMISSION

STP = SUBMISSION.format(unit="STP")


def test_units_filters(api_as, tree):
    api = api_as("viewer")
    codes = [u["code"] for u in api.get("/api/units").json()]
    assert codes == sorted(codes) and {"T64", "STP", "X0101", "T52"} <= set(codes)
    children = api.get("/api/units", parent="T64").json()
    assert {u["code"] for u in children} == {"SNV", "STP", "H01", "H02"}
    assert all(u["parent"] == "T64" for u in children)
    assert [u["code"] for u in api.get("/api/units", kind="huyen", at="2026-01-01").json()] == ["H01"]
    assert {u["code"] for u in api.get("/api/units", kind="huyen", at="2021-01-01").json()} == {"H01", "H02"}
    missing = api.get("/api/units", parent="KHONG")
    assert missing.status_code == 404 and "KHONG" in missing.json()["detail"]
    bad = api.get("/api/units", kind="lang")
    assert bad.status_code == 422 and "kind" in bad.json()["errors"]


def test_periods_catalogs_indicators(api_as):
    api = api_as("viewer")
    periods = api.get("/api/periods", year=2021, kind="half").json()
    assert [p["code"] for p in periods] == ["2021-H1", "2021-H2"]
    assert periods[0]["start"] == "2020-12-15" and periods[0]["end"] == "2021-06-14"
    assert api.get("/api/periods", year=1999).json() == []
    catalogs = api.get("/api/catalogs").json()
    assert [c["code"] for c in catalogs] == ["bnv-2021"] and "so_nganh" in catalogs[0]["unit_kinds"]
    indicators = api.get("/api/catalogs/bnv-2021/indicators").json()
    by_code = {i["code"]: i for i in indicators}
    assert by_code["1.1.2"]["value_type"] == "integer"
    assert by_code["3.3.3"]["aggregation"] == "ratio" and by_code["3.3.3"]["numerator_label"]
    assert api.get("/api/catalogs/khong-co/indicators").status_code == 404


def test_token_required_bad_and_revoked_refused(api_as, tokens, rep_users):
    for client in (api_as(None), api_as("viewer")):
        client.token = client.token and client.token + "x"
        response = client.get("/api/units")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"
        assert "token" in response.json()["detail"] and "Cần" in response.json()["detail"]
    ok = api_as("viewer")
    assert ok.get("/api/catalogs").status_code == 200
    ApiToken.objects.get(user=rep_users["viewer"]).revoke()
    assert ok.get("/api/catalogs").status_code == 401
    rep_users["reporter"].is_active = False
    rep_users["reporter"].save()
    assert api_as("reporter").put(STP, {"values": {"1.1.1": {"value": 3}}}).status_code == 401
    assert not Submission.objects.exists()


def test_put_get_values_and_version(api_as, tree):
    api = api_as("reporter")
    assert api.get(STP).status_code == 404
    response = api.put(
        STP,
        {"values": {"1.1.1": {"value": "1.964"}, "1.1.2": {"value": 38, "note": "đến 14/6"},
                    "3.3.3": {"numerator": 5, "denominator": 8}}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 2
    assert body["values"]["1.1.1"]["value"] == 1964
    second = body["values"]["1.1.2"]
    assert (second["value"], second["note"], second["source"]) == (38, "đến 14/6", "api")
    assert body["values"]["3.3.3"]["value"] == 62.5 and body["values"]["3.3.3"]["numerator"] == 5
    assert {r["rule_id"]: r["status"] for r in body["rules"]}["R01"] == "passed"
    stored = Value.objects.get(indicator_code="1.1.1")
    assert stored.value == 1964 and stored.source == Source.API
    assert api.get(STP).json() == body
    # A blank value clears it.
    cleared = api.put(STP, {"version": 2, "values": {"1.1.2": {"value": None}}}).json()
    assert "1.1.2" not in cleared["values"] or cleared["values"]["1.1.2"]["value"] is None
    assert cleared["version"] == 3


def test_conflict_409_names_changed_codes(api_as):
    first, second = api_as("reporter"), api_as("reporter")
    version = first.put(STP, {"values": {"1.1.1": {"value": 10}}}).json()["version"]
    assert second.put(STP, {"version": version, "values": {"1.1.2": {"value": 4}}}).status_code == 200
    stale = first.put(STP, {"version": version, "values": {"1.1.1": {"value": 11}}})
    assert stale.status_code == 409
    body = stale.json()
    assert body["changed_codes"] == ["1.1.2"] and body["current_version"] == version + 1
    assert "1.1.2" in body["detail"] and "Chưa lưu gì" in body["detail"]
    assert Value.objects.get(indicator_code="1.1.1").value == 10


@pytest.mark.parametrize(
    ("values", "code", "words"),
    [
        ({"1.1.1": {"value": "-3"}}, "1.1.1", "âm"),
        ({"1.1.1": {"value": "ba"}}, "1.1.1", "1.1.1"),
        ({"3.3.3": {"numerator": 9, "denominator": 0}}, "3.3.3", "3.3.3"),
        ({"9.9.9": {"value": 1}}, "9.9.9", "9.9.9"),
    ],
)
def test_validation_422_names_the_code(api_as, values, code, words):
    response = api_as("reporter").put(STP, {"values": {"1.1.2": {"value": 1}, **values}})
    assert response.status_code == 422, response.content
    body = response.json()
    assert list(body["errors"]) == [code]
    assert words in body["errors"][code][0] and "Chỉ tiêu" in body["errors"][code][0]
    assert not Value.objects.exists()


def test_malformed_body_422_in_vietnamese(api_as):
    response = api_as("reporter").put(STP, {"version": "hai", "values": []})
    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"version", "values"} and body["detail"].startswith("Yêu cầu không hợp lệ")


def test_workflow_submit_return_approve(api_as):
    reporter, officer = api_as("reporter"), api_as("officer")
    assert reporter.post(STP + "/submit").status_code == 404
    reporter.put(STP, {"values": {"1.1.1": {"value": 38}, "1.1.2": {"value": 40}}})
    refused = reporter.post(STP + "/submit")
    assert refused.status_code == 422 and "R01" in " ".join(refused.json()["errors"]["submission"])
    version = reporter.put(STP, {"values": {"1.1.2": {"value": 11}}}).json()["version"]
    assert reporter.post(STP + "/submit", {"version": version - 1}).status_code == 409
    submitted = reporter.post(STP + "/submit", {"version": version})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["on_time"] is not None
    locked = reporter.put(STP, {"values": {"1.1.2": {"value": 12}}})
    assert locked.status_code == 422 and "Đã gửi" in locked.json()["detail"]
    no_reason = officer.post(STP + "/return", {"comment": "  "})
    assert no_reason.status_code == 422 and "comment" in no_reason.json()["errors"]
    returned = officer.post(STP + "/return", {"comment": "Kiểm tra lại"})
    assert returned.json()["status"] == "returned" and returned.json()["return_comment"] == "Kiểm tra lại"
    reporter.put(STP, {"values": {"1.1.2": {"value": 12}}})
    reporter.post(STP + "/submit")
    approved = officer.post(STP + "/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert officer.post(STP + "/approve").status_code == 422
    assert Submission.objects.get().status == Status.APPROVED


def test_viewer_reads_only_approved(api_as):
    reporter, viewer = api_as("reporter"), api_as("viewer")
    reporter.put(STP, {"values": {"1.1.1": {"value": 5}}})
    assert viewer.get(STP).status_code == 403
    reporter.post(STP + "/submit")
    assert viewer.get(STP).status_code == 403
    api_as("officer").post(STP + "/approve")
    shown = viewer.get(STP)
    assert shown.status_code == 200 and shown.json()["values"]["1.1.1"]["value"] == 5


def test_aggregate_sums_approved_units(api_as, tree, catalog, h1, rep_users):
    officer = rep_users["officer"]
    for code, (plan, done, num, den) in {"SNV": (10, 7, 1, 4), "STP": (20, 15, 3, 6)}.items():
        sub = services.get_or_create_submission(tree[code.lower()], h1, catalog, services.SYSTEM)
        services.save_values(sub, services.SYSTEM, {"1.1.1": plan, "1.1.2": done, "3.3.3": (num, den)}, None)
        services.submit(sub, services.SYSTEM)
        if code == "SNV":
            services.approve(sub, officer)
    path = "/api/aggregates/T64/2021-H1/bnv-2021"
    approved_only = api_as("viewer").get(path).json()
    assert approved_only["units"] == ["SNV"] and approved_only["indicators"]["1.1.1"]["value"] == 10
    both = api_as("officer").get(path, include_submitted="true").json()
    assert both["units"] == ["SNV", "STP"]
    assert both["indicators"]["1.1.1"]["value"] == 30 and both["indicators"]["1.1.2"]["value"] == 22
    rate = both["indicators"]["3.3.3"]
    assert (rate["numerator"], rate["denominator"]) == (4, 10)
    assert rate["value"] == 40  # Σnum/Σden, not the mean of 25 % and 50 %
    assert api_as("viewer").get(path, include_submitted="true").status_code == 403
    assert api_as("other_officer").get(path, include_submitted="true").status_code == 403


def test_session_auth_needs_csrf_for_writes(api_as, rep_users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep_users["reporter"])
    assert client.get("/api/catalogs").status_code == 200
    refused = client.put(STP, {"values": {"1.1.1": {"value": 3}}}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not Submission.objects.exists()
    client.get("/reporting/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.put(
        STP,
        {"values": {"1.1.1": {"value": 3}}},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200 and accepted.json()["values"]["1.1.1"]["value"] == 3


def test_openapi_schema_and_docs(api_as):
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["info"]["title"] == "cchc API"
    put = spec["paths"]["/api/submissions/{unit}/{period}/{catalog}"]["put"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(put["responses"])
    assert "BearerToken" in spec["components"]["securitySchemes"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.content


ALL_OPERATIONS = [
    ("get", "/api/units"),
    ("get", "/api/periods"),
    ("get", "/api/catalogs"),
    ("get", "/api/catalogs/bnv-2021/indicators"),
    ("get", STP),
    ("put", STP),
    ("post", STP + "/submit"),
    ("post", STP + "/approve"),
    ("post", STP + "/return"),
    ("get", "/api/aggregates/T64/2021-H1/bnv-2021"),
]


@pytest.mark.parametrize(("method", "path"), ALL_OPERATIONS)
@pytest.mark.parametrize("header", [None, "Bearer cchc_khong-hop-le", "Token abc", "Bearer "])
def test_every_operation_refuses_missing_or_bad_tokens(api_as, method, path, header):
    client = Client()
    headers = {"Authorization": header} if header else {}
    kwargs = {"content_type": "application/json", "headers": headers}
    body = {"values": {}} if method == "put" else {"comment": "x"}
    if method == "get":
        response = client.get(path, headers=headers)
    else:
        response = getattr(client, method)(path, body, **kwargs)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Cần xác thực")
    assert not Submission.objects.exists()


def test_api_write_is_audited_with_the_tokens_user(api_as, rep_users):
    from auditlog.models import LogEntry

    api_as("reporter").put(STP, {"values": {"1.1.1": {"value": 7}}})
    value = Value.objects.get(indicator_code="1.1.1")
    entries = LogEntry.objects.get_for_object(value)
    assert entries.exists() and {e.actor for e in entries} == {rep_users["reporter"]}


@given(n=st.integers(min_value=0, max_value=10**12))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_vietnamese_number_strings_stored_exactly(api_as, n):
    typed = f"{n:,}".replace(",", ".")  # 1964 → "1.964"
    response = api_as("reporter").put(STP, {"values": {"1.1.1": {"value": typed}}})
    assert response.status_code == 200, response.content
    assert response.json()["values"]["1.1.1"]["value"] == n
    assert Value.objects.get(indicator_code="1.1.1").value == n
