"""Log-in through the real view: lockout after 5 failures, reset on success, CSRF, argon2, admin access."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import Role, User
from cchc.units.models import Unit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.real_hashers

LOCKED_TEXT = "Tài khoản tạm thời bị khóa"


def post_login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_login_page_is_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html


def test_right_password_logs_in_and_goes_home(client, users):
    response = post_login(client, users["reporter"].username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in(client)


def test_wrong_password_shows_vietnamese_error(client, users):
    response = post_login(client, users["reporter"].username, "sai-mat-khau")
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()
    assert not logged_in(client)


def test_five_failures_lock_the_account(client, users):
    username = users["officer"].username
    for _ in range(5):
        response = post_login(client, username, "sai-mat-khau")
        assert not logged_in(client)
    response = post_login(client, username, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_TEXT in html
    assert "15 phút" in html
    assert not logged_in(client)


def test_four_failures_do_not_lock(client, users):
    username = users["officer"].username
    for _ in range(4):
        post_login(client, username, "sai-mat-khau")
    response = post_login(client, username, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_success_resets_the_failure_count(client, users):
    """4 failures, success, 4 failures, success: without the reset the second run would lock."""
    username = users["viewer"].username
    for _ in range(2):
        for _ in range(4):
            post_login(client, username, "sai-mat-khau")
        response = post_login(client, username, PASSWORD)
        assert response.status_code == 302, response.content.decode()[:300]
        assert logged_in(client)
        client.post(reverse("logout"))
        assert not logged_in(client)


def test_login_requires_csrf_token(users):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": users["reporter"].username, "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_KEY not in client.session

    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("login"),
        {"username": users["reporter"].username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert SESSION_KEY in client.session


def test_passwords_are_hashed_with_argon2(users):
    for user in users.values():
        user.refresh_from_db()
        assert user.password.startswith("argon2")
        assert PASSWORD not in user.password


# --- Django admin is for the admin role only -----------------------------------------------------


def test_admin_role_reaches_admin(client, users):
    client.force_login(users["admin"])
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


@pytest.mark.parametrize("role", ["officer", "reporter", "viewer"])
def test_other_roles_are_denied_admin(client, users, role):
    client.force_login(users[role])
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/units/unit/add/").status_code == 403


def test_anonymous_is_sent_to_admin_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_flag_follows_role(tree):
    """A non-admin cannot be given /admin/ by the staff flag; an admin-role user gets it."""
    officer = User.objects.create(username="cb", role=Role.OFFICER, is_staff=True)
    assert not User.objects.get(pk=officer.pk).is_staff
    officer.role = Role.ADMIN
    officer.save(update_fields=["role"])
    assert User.objects.get(pk=officer.pk).is_staff


def test_admin_role_without_superuser_can_add_a_unit(client, tree):
    admin = User.objects.create(username="qt_role", role=Role.ADMIN)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/units/unit/add/")
    assert response.status_code == 200
    assert not Unit.objects.filter(code="ADM1").exists()


@pytest.mark.parametrize("role", ["officer", "reporter", "viewer"])
def test_other_roles_cannot_log_in_through_admin_form(client, users, role):
    response = client.post(
        reverse("admin:login"), {"username": users[role].username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200  # the form again, with an error
    assert SESSION_KEY not in client.session
