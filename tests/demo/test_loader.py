"""The demo loader: Tỉnh Gia Lai 2021, its periods and one account per role; idempotent."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.password_validation import validate_password
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.accounts.models import Role, User
from cchc.accounts.permissions import Action, can
from cchc.cli import CliError
from cchc.demo import loader
from cchc.periods.models import Period
from cchc.units.models import Unit, UnitKind
from cchc.units.queries import current_successors

ABOLISHED = dt.date(2025, 6, 30)
DISTRICTS = {
    "thành phố Pleiku", "thị xã An Khê", "thị xã Ayun Pa", "huyện Kbang", "huyện Đak Đoa", "huyện Chư Păh",
    "huyện Ia Grai", "huyện Mang Yang", "huyện Kông Chro", "huyện Đức Cơ", "huyện Chư Prông", "huyện Chư Sê",
    "huyện Đak Pơ", "huyện Ia Pa", "huyện Krông Pa", "huyện Phú Thiện", "huyện Chư Pưh",
}
# Communes the seed report names (footnote 17 of the Gia Lai 6-month 2021 report).
SEED_COMMUNES = {
    "xã Ia Tô": "huyện Ia Grai",
    "xã Ia Rsum": "huyện Krông Pa",
    "xã Ia Mron": "huyện Ia Pa",
    "xã Ia Hrú": "huyện Chư Pưh",
    "xã Ia Blang": "huyện Chư Sê",
    "xã Đăk Yă": "huyện Mang Yang",
    "thị trấn Đak Pơ": "huyện Đak Pơ",
    "thị trấn Phú Túc": "huyện Krông Pa",
    "thị trấn Phú Thiện": "huyện Phú Thiện",
    "thị trấn Phú Hòa": "huyện Chư Păh",
    "thị trấn Chư Ty": "huyện Đức Cơ",
    "thị trấn Chư Prông": "huyện Chư Prông",
    "phường Cheo Reo": "thị xã Ayun Pa",
    "phường Đoàn Kết": "thị xã Ayun Pa",
}
EXPECTED_ROLES = {
    "admin": (Role.ADMIN, None),
    "snv": (Role.OFFICER, "GL"),
    "stp": (Role.REPORTER, "GL-STP"),
    "chupah": (Role.REPORTER, "GL-CHUPAH"),
    "lanhdao": (Role.VIEWER, "GL"),
}


def csv_rows() -> list[dict[str, str]]:
    with loader.UNITS_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def log_in(username: str, password: str) -> Client:
    """Log in through the real login page (axes needs the request), return the client."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not log in"
    return client


@pytest.fixture
def demo(db) -> dict:
    return loader.load_demo(samples=False)


# --- the data file itself -------------------------------------------------------------------


def test_units_file_has_the_2021_structure() -> None:
    rows = csv_rows()
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    by_kind: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
        assert row["kind"] in UnitKind.values
        assert row["parent_code"] == "" or row["parent_code"] in codes
        if row["parent_code"]:
            assert codes.index(row["parent_code"]) < codes.index(row["code"]), "parents come first"
    assert [r["code"] for r in by_kind["tinh"]] == ["GL"]
    assert len(by_kind["so_nganh"]) == 20  # “20/20 sở, ban, ngành tỉnh” in the seed
    assert len(by_kind["nganh_doc"]) == 5
    districts = by_kind["huyen"]
    assert {r["name"].removeprefix("UBND ") for r in districts} == DISTRICTS
    assert all(r["valid_to"] == "2025-06-30" and r["parent_code"] == "GL" for r in districts)
    for district in districts:
        communes = [r for r in by_kind["xa"] if r["parent_code"] == district["code"]]
        assert 2 <= len(communes) <= 4, district["name"]
    assert all(not r["valid_to"] for r in by_kind["so_nganh"]), "departments continue after 2025"


def test_units_file_names_the_seed_communes_under_their_districts() -> None:
    rows = csv_rows()
    names = {r["code"]: r["name"] for r in rows}
    placed = {r["name"].removeprefix("UBND "): names[r["parent_code"]].removeprefix("UBND ")
              for r in rows if r["kind"] == "xa"}
    for commune, district in SEED_COMMUNES.items():
        assert placed.get(commune) == district, commune


# --- loading --------------------------------------------------------------------------------


def test_load_demo_creates_the_province_and_its_units(demo) -> None:
    province = Unit.objects.get(code="GL")
    assert province.name == "UBND tỉnh Gia Lai"
    assert province.valid_to == ABOLISHED
    districts = Unit.objects.filter(kind=UnitKind.DISTRICT, parent=province)
    assert districts.count() == 17
    assert set(districts.values_list("valid_to", flat=True)) == {ABOLISHED}
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT, parent=province, valid_to__isnull=True).count() == 20
    assert Unit.objects.get(code="GL-SNV").name == "Sở Nội vụ"
    assert Unit.objects.get(code="GL-CHUPUH-IAHRU").parent.code == "GL-CHUPUH"
    assert demo["province"] == {"code": "GL", "name": "UBND tỉnh Gia Lai", "units": len(csv_rows())}
    assert demo["units"] == Unit.objects.count() > len(csv_rows())  # plus the national list
    # On a date in 2021 the whole demo province is in operation.
    in_2021 = Unit.objects.valid_at(dt.date(2021, 6, 14)).filter(code__startswith="GL")
    assert in_2021.count() == len(csv_rows())


def test_old_province_maps_to_the_new_gia_lai(demo) -> None:
    province = Unit.objects.get(code="GL")
    assert list(province.successors.values_list("code", flat=True)) == ["52"]
    today_successors = current_successors(province, dt.date(2025, 7, 1))
    assert [u.code for u in today_successors] == ["52"]
    assert current_successors(province, dt.date(2021, 6, 14)) == [province]


def test_load_demo_creates_the_2021_periods(demo) -> None:
    h1 = Period.objects.get(code="2021-H1")
    # The seed report's data window: 15/12/2020 – 14/6/2021 (Nghị định 09/2019, Art. 12).
    assert (h1.start, h1.end) == (dt.date(2020, 12, 15), dt.date(2021, 6, 14))
    assert Period.objects.filter(year=2021).count() == 19
    assert demo["periods"] == Period.objects.count()
    assert demo["year"] == 2021


def test_demo_accounts_log_in_with_the_printed_passwords(demo) -> None:
    printed = {a["username"]: a for a in demo["users"]}
    assert set(printed) == set(EXPECTED_ROLES)
    for username, account in printed.items():
        client = log_in(username, account["password"])
        assert int(client.session["_auth_user_id"]) == User.objects.get(username=username).pk
        assert len(account["password"]) >= 10
        validate_password(account["password"], User.objects.get(username=username))


def test_wrong_password_is_refused(demo) -> None:
    response = Client().post(reverse("login"), {"username": "snv", "password": "demo-snv-2020"})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_demo_accounts_have_their_roles_and_units(demo) -> None:
    printed = {a["username"]: a for a in demo["users"]}
    for username, (role, unit_code) in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert (user.unit.code if user.unit else None) == unit_code
        assert user.is_superuser == user.is_staff == (role == Role.ADMIN)
        assert printed[username]["role"] == role
        assert printed[username]["unit"] == (user.unit.name if user.unit else None)
        with translation.override("vi"):
            assert printed[username]["role_label"] == str(Role(role).label)
        with translation.override("en"):
            english = str(Role(role).label)
        assert printed[username]["role_label"] != english, "role label must be Vietnamese"


def test_demo_accounts_act_within_their_units(demo) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=EXPECTED_ROLES)}
    stp = Unit.objects.get(code="GL-STP")
    snv_unit = Unit.objects.get(code="GL-SNV")
    commune = Unit.objects.get(code="GL-CHUPAH-PHUHOA")
    chupah = Unit.objects.get(code="GL-CHUPAH")
    assert can(users["snv"], Action.APPROVE, stp)
    assert can(users["snv"], Action.APPROVE, commune)
    assert can(users["snv"], Action.VIEW_AUDIT)
    assert can(users["stp"], Action.ENTER_DATA, stp)
    assert not can(users["stp"], Action.ENTER_DATA, snv_unit)
    assert not can(users["stp"], Action.VIEW_AUDIT)
    assert can(users["chupah"], Action.ENTER_DATA, chupah)
    assert not can(users["chupah"], Action.ENTER_DATA, stp)
    assert can(users["lanhdao"], Action.VIEW)
    assert not can(users["lanhdao"], Action.ENTER_DATA, stp)
    assert can(users["admin"], Action.MANAGE_USERS)


# --- idempotence ----------------------------------------------------------------------------


def snapshot() -> dict:
    return {
        "units": sorted(
            Unit.objects.values_list("code", "name", "kind", "parent__code", "valid_from", "valid_to")
        ),
        "successors": sorted(Unit.successors.through.objects.values_list("from_unit__code", "to_unit__code")),
        "periods": sorted(Period.objects.values_list("code", "start", "end", "deadline", "is_open")),
        "users": sorted(
            User.objects.values_list("username", "password", "role", "unit__code", "is_superuser", "is_staff")
        ),
        "audit": LogEntry.objects.count(),
    }


def test_second_run_changes_nothing(demo) -> None:
    before = snapshot()
    again = loader.load_demo(samples=False)
    assert snapshot() == before, "a second run must not write (password hashes and audit log included)"
    assert again["imported"] == {"created": 0, "updated": 0}
    assert demo["imported"]["created"] == len(csv_rows())
    assert {k: v for k, v in again.items() if k != "imported"} == {
        k: v for k, v in demo.items() if k != "imported"
    }


def test_rerun_puts_back_changed_demo_settings(demo) -> None:
    user = User.objects.get(username="snv")
    user.set_password("someone-changed-it-2024")
    user.role = Role.VIEWER
    user.save()
    loader.load_demo(samples=False)
    user.refresh_from_db()
    assert user.role == Role.OFFICER
    assert user.check_password("demo-snv-2021")


def test_rerun_lifts_a_login_lockout(demo) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "stp", "password": "not-the-password"})
    locked = Client().post(reverse("login"), {"username": "stp", "password": "demo-stp-2021"})
    assert "_auth_user_id" not in locked.wsgi_request.session
    loader.load_demo(samples=False)
    log_in("stp", "demo-stp-2021")


# --- the accounts file ----------------------------------------------------------------------


def write_accounts(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=loader.USER_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


usernames = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=20)
account_rows = st.lists(
    st.fixed_dictionaries(
        {
            "username": usernames,
            "password": st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=10, max_size=30),
            "role": st.sampled_from(Role.values),
            "unit_code": st.sampled_from(["", "GL", "GL-STP"]),
            "full_name": st.sampled_from(["", "Cán bộ Sở Nội vụ", "Lãnh đạo"]),
        }
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda row: row["username"],
)


@settings(max_examples=40, deadline=None)
@given(rows=account_rows)
def test_read_accounts_round_trips_valid_files(tmp_path_factory, rows) -> None:
    path = write_accounts(tmp_path_factory.mktemp("acc") / "users.csv", rows)
    accounts = loader.read_accounts(path, roles=tuple(Role.values))
    assert [a.__dict__ for a in accounts] == rows


@settings(max_examples=30, deadline=None)
@given(rows=account_rows, bad=st.sampled_from(["role", "password", "duplicate"]), data=st.data())
def test_read_accounts_names_the_bad_row(tmp_path_factory, rows, bad, data) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    rows = [dict(r) for r in rows]
    if bad == "role":
        rows[index]["role"] = "superadmin"
        column = "role"
    elif bad == "password":
        rows[index]["password"] = "short"
        column = "password"
    else:
        rows.insert(index + 1, dict(rows[index]))
        index += 1
        column = "username"
    path = write_accounts(tmp_path_factory.mktemp("acc") / "users.csv", rows)
    with pytest.raises(CliError) as error:
        loader.read_accounts(path, roles=tuple(Role.values))
    assert f"dòng {index + 2}, cột {column}" in str(error.value)


def test_shipped_accounts_file_is_valid() -> None:
    accounts = loader.read_accounts(roles=tuple(Role.values))
    assert {a.username: (a.role, a.unit_code or None) for a in accounts} == EXPECTED_ROLES


def test_unknown_unit_in_accounts_is_refused(db) -> None:
    account = loader.DemoAccount("x", "long-enough-pw", Role.REPORTER, "NO-SUCH", "")
    with pytest.raises(CliError, match="NO-SUCH"):
        loader.ensure_account(account)
    assert not User.objects.filter(username="x").exists()


def test_units_file_imports_cleanly(db) -> None:
    from cchc.units.importer import import_units

    Unit.objects.create(code="52", name="Tỉnh Gia Lai", kind=UnitKind.PROVINCE)
    first = import_units(loader.UNITS_FILE)
    assert (first.created, first.updated) == (len(csv_rows()), 0)
    second = import_units(loader.UNITS_FILE)
    assert (second.created, second.updated) == (0, 0)


def test_cchc_demo_command_prints_the_accounts(db, capsys, tmp_path, monkeypatch) -> None:
    import json

    from cchc.cli import main

    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    assert main(["demo", "--no-serve", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    # the sample activity: 50.000 one-stop dossiers of 2021, PAR scores of the 17 districts
    assert printed["dossiers"]["count"] == 50_000
    assert printed["scoring"]["published"] == {"2021": 17, "2022": 16}
    # 2021-H1 submissions: the province's legacy report from the seed plus its units'
    assert printed["reporting"]["period"] == "2021-H1"
    assert printed["reporting"]["province_values"] == 95
    assert {a["username"]: a["password"] for a in printed["users"]} == {
        a.username: a.password for a in loader.read_accounts()
    }
    assert printed["province"]["code"] == "GL"
    assert main(["demo", "--no-serve"]) == 0
    text = capsys.readouterr().out
    assert "chupah" in text and "demo-chupah-2021" in text
