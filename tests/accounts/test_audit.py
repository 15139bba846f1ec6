"""Changes through the web are audited with their actor; the audit page is for officers and admins."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from cchc.accounts.models import Role, User
from cchc.units.models import Unit, UnitKind


def change_user_through_admin(client, target: User, **changes) -> None:
    """POST the real admin change form of `target`, starting from its current values."""
    data = {
        "username": target.username,
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "is_active": "on",
        "role": target.role,
        "unit": target.unit_id or "",
        "date_joined_0": target.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": target.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Lưu",
    }
    data.update(changes)
    response = client.post(reverse("admin:accounts_user_change", args=[target.pk]), data)
    errors = response.context["adminform"].form.errors if response.context else response
    assert response.status_code == 302, errors


def test_web_change_records_actor_and_before_after(client, users, tree):
    client.force_login(users["admin"])
    viewer = users["viewer"]
    change_user_through_admin(client, viewer, role=Role.OFFICER, first_name="Lan")
    viewer.refresh_from_db()
    assert viewer.role == Role.OFFICER

    entry = LogEntry.objects.get_for_object(viewer).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == users["admin"]
    assert entry.changes_dict["role"] == ["viewer", "officer"]
    assert entry.changes_dict["first_name"] == ["", "Lan"]
    assert "password" not in entry.changes_dict

    page = client.get(reverse("audit"))
    html = page.content.decode()
    assert "quantri" in html  # the actor's username
    assert "Người xem (chỉ đọc)" in html and "Cán bộ CCHC cấp tỉnh" in html  # role labels before → after
    assert "→" in html


def test_change_without_request_shows_as_command_line(client, users, tree):
    Unit.objects.create(code="CLI1", name="Đơn vị tạo bằng dòng lệnh", kind=UnitKind.OTHER)
    entry = LogEntry.objects.get_for_object(Unit.objects.get(code="CLI1")).get()
    assert entry.actor is None
    client.force_login(users["officer"])
    html = client.get(reverse("audit"), {"q": "dòng lệnh"}).content.decode()
    assert "Đơn vị tạo bằng dòng lệnh" in html
    assert "dòng lệnh / hệ thống" in html


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("officer", 200), ("reporter", 403), ("viewer", 403)]
)
def test_audit_page_permission(client, users, role, status):
    client.force_login(users[role])
    assert client.get(reverse("audit")).status_code == status


def test_audit_page_needs_login(client, db):
    response = client.get(reverse("audit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def audit_history(client, users, tree):
    """One unit change by the admin through the web, one user change by the admin, one CLI change."""
    LogEntry.objects.all().delete()
    client.force_login(users["admin"])
    change_user_through_admin(client, users["reporter"], first_name="Minh")
    Unit.objects.create(code="ZZ9", name="Ban Quản lý khu kinh tế", kind=UnitKind.DEPARTMENT)
    return LogEntry.objects.all()


def _rows(html: str) -> int:
    return html.count("<tr>") - 1  # minus the header row


def test_filter_by_object_type(client, users, audit_history):
    unit_type = ContentType.objects.get_for_model(Unit)
    user_type = ContentType.objects.get_for_model(User)
    client.force_login(users["officer"])
    units_html = client.get(reverse("audit"), {"type": unit_type.pk}).content.decode()
    assert "Ban Quản lý khu kinh tế" in units_html
    assert "stp_baocao" not in units_html.split("<tbody>")[1]
    users_html = client.get(reverse("audit"), {"type": user_type.pk}).content.decode()
    assert "stp_baocao" in users_html.split("<tbody>")[1]
    assert "Ban Quản lý khu kinh tế" not in users_html
    assert _rows(units_html) == LogEntry.objects.filter(content_type=unit_type).count()


def test_filter_by_user_and_system(client, users, audit_history):
    client.force_login(users["officer"])
    by_admin = client.get(reverse("audit"), {"actor": "QUANTRI"}).content.decode()
    assert _rows(by_admin) == LogEntry.objects.filter(actor=users["admin"]).count() >= 1
    assert "Ban Quản lý khu kinh tế" not in by_admin
    by_system = client.get(reverse("audit"), {"actor": "-"}).content.decode()
    assert "Ban Quản lý khu kinh tế" in by_system
    assert _rows(by_system) == LogEntry.objects.filter(actor__isnull=True).count()
    nobody = client.get(reverse("audit"), {"actor": "khongco"}).content.decode()
    assert "Chưa ghi nhận thay đổi nào." in nobody


def test_filter_by_text(client, users, audit_history):
    client.force_login(users["officer"])
    html = client.get(reverse("audit"), {"q": "kinh tế"}).content.decode()
    assert "Ban Quản lý khu kinh tế" in html
    assert _rows(html) == 1
    empty = client.get(reverse("audit"), {"q": "không tồn tại"}).content.decode()
    assert "Chưa ghi nhận thay đổi nào." in empty


def test_changes_are_shown_for_people(client, users, tree):
    """Labels from the model, yes/no for flags, d/m/Y dates, no reverse relations or ids."""
    from cchc.periods.models import Period

    User.objects.create(username="nguoimoi", role=Role.VIEWER)
    Period.objects.create(code="2021-M05", kind="month", year=2021, name="Tháng 5/2021",
                          start="2021-04-15", end="2021-05-14", deadline="2021-05-20")
    client.force_login(users["officer"])
    html = client.get(reverse("audit"), {"q": "nguoimoi"}).content.decode()
    changes = html.split("<tbody>")[1]
    assert "Vai trò</b>" in changes and "Người xem (chỉ đọc)" in changes
    assert 'Kích hoạt</b>: <span class="before">∅</span> → <span class="after">có</span>' in changes
    assert "api_tokens" not in changes and ".None" not in changes
    assert "<b>ID</b>" not in changes
    period_html = client.get(reverse("audit"), {"q": "Tháng 5/2021"}).content.decode().split("<tbody>")[1]
    assert "15/04/2021" in period_html and "20/05/2021" in period_html
