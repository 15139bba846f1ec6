"""Home dashboard and the navigation each role sees."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cchc.periods.models import Period, PeriodKind
from cchc.units.models import Unit, UnitKind


def cards(html: str) -> dict[str, int]:
    """Dashboard cards as {label: number} (numbers may carry Vietnamese thousand separators)."""
    found = re.findall(r'<div class="num">([\d.]+)</div><div class="label">([^<]+)</div>', html)
    return {label: int(num.replace(".", "")) for num, label in found}


def make_period(code: str, *, is_open: bool, deadline: dt.date) -> Period:
    return Period.objects.create(
        code=code, kind=PeriodKind.MONTH, year=2026, name=f"Kỳ {code}",
        start=deadline - dt.timedelta(days=40), end=deadline - dt.timedelta(days=10),
        deadline=deadline, is_open=is_open,
    )


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unit_counts_match_database(client, users, tree):
    for i in range(3):
        Unit.objects.create(
            code=f"XA{i}", name=f"UBND xã {i}", kind=UnitKind.COMMUNE, parent=tree["district_a"]
        )
    Unit.objects.create(code="OLD", name="UBND xã cũ", kind=UnitKind.COMMUNE, valid_to=dt.date(2020, 1, 1))
    client.force_login(users["viewer"])
    html = client.get(reverse("home")).content.decode()
    got = cards(html)
    today = timezone.localdate()
    valid = Unit.objects.valid_at(today)
    assert got["Tất cả đơn vị"] == valid.count() == 9  # 7 fixture units - dissolved district + 3 communes
    for value, label in UnitKind.choices:
        assert got[str(label)] == valid.filter(kind=value).count()
    assert got[str(UnitKind.COMMUNE.label)] == 4


def test_open_periods_listed_closed_ones_not(client, users, tree):
    today = timezone.localdate()
    make_period("2026-M10", is_open=True, deadline=today + dt.timedelta(days=5))
    make_period("2026-M09", is_open=True, deadline=today - dt.timedelta(days=3))
    make_period("2026-M08", is_open=False, deadline=today + dt.timedelta(days=9))
    client.force_login(users["officer"])
    html = client.get(reverse("home")).content.decode()
    assert "2026-M10" in html
    assert "2026-M09" in html
    assert "2026-M08" not in html
    assert (today + dt.timedelta(days=5)).strftime("%d/%m/%Y") in html
    assert "còn 5 ngày" in html
    assert "quá hạn 3 ngày" in html
    assert html.index("2026-M10") < html.index("2026-M09")  # the cycle in progress comes first


def test_old_overdue_periods_come_after_recent_ones(client, users, tree):
    """A period left open for years must not push the current cycle off the dashboard."""
    today = timezone.localdate()
    make_period("2021-H1", is_open=True, deadline=today - dt.timedelta(days=2000))
    make_period("2026-M09", is_open=True, deadline=today - dt.timedelta(days=3))
    make_period("2026-M11", is_open=True, deadline=today + dt.timedelta(days=30))
    make_period("2026-M10", is_open=True, deadline=today + dt.timedelta(days=2))
    client.force_login(users["officer"])
    html = client.get(reverse("home")).content.decode()
    order = sorted(["2021-H1", "2026-M09", "2026-M10", "2026-M11"], key=html.index)
    assert order == ["2026-M10", "2026-M11", "2026-M09", "2021-H1"]


def test_no_open_period_message(client, users):
    client.force_login(users["viewer"])
    assert "Không có kỳ báo cáo nào đang mở." in client.get(reverse("home")).content.decode()


def test_reporter_sees_own_unit_prominently(client, users, tree):
    client.force_login(users["reporter"])
    html = client.get(reverse("home")).content.decode()
    section = html.split('<section class="own-unit"')[1].split("</section>")[0]
    assert "Bạn báo cáo cho đơn vị" in section
    assert '<div class="name">Sở Tư pháp</div>' in section


def test_admin_without_unit_has_no_unit_banner(client, users):
    client.force_login(users["admin"])
    assert 'class="own-unit"' not in client.get(reverse("home")).content.decode()


NAV_AUDIT = 'href="/audit/"'
NAV_ADMIN = 'href="/admin/"'


@pytest.mark.parametrize(
    ("role", "audit", "admin"),
    [("admin", True, True), ("officer", True, False), ("reporter", False, False), ("viewer", False, False)],
)
def test_navigation_shows_what_the_role_allows(client, users, role, audit, admin):
    client.force_login(users[role])
    html = client.get(reverse("home")).content.decode()
    nav = html.split('<nav class="mainnav"')[1].split("</nav>")[0]
    assert (NAV_AUDIT in nav) is audit
    assert (NAV_ADMIN in nav) is admin
    assert "Tổng quan" in nav and "Đơn vị" in nav and "Kỳ báo cáo" in nav
    # and every link shown actually opens for that role
    for href in re.findall(r'href="([^"]+)"', nav):
        assert client.get(href).status_code == 200, href


def test_page_says_default_language(client, users):
    client.force_login(users["viewer"])
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="vi">' in html
    assert "Ngôn ngữ: Tiếng Việt" in html
