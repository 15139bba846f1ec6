"""API tokens: only a hash is stored, the raw token authenticates its active user until revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.accounts.models import ApiToken, Role, User, authenticate_token, hash_token


@pytest.fixture
def integrator(db) -> User:
    return User.objects.create(username="he_thong_mot_cua", role=Role.REPORTER)


def test_issue_stores_only_a_hash(integrator):
    token, raw = ApiToken.issue(integrator, "Hệ thống một cửa")
    token.refresh_from_db()
    assert raw.startswith("cchc_") and len(raw) > 40
    assert token.token_hash == hash_token(raw) != raw
    assert raw not in token.token_hash
    assert token.prefix == raw[:12]
    stored = [str(v) for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()]
    assert all(raw not in v for v in stored)


def test_tokens_are_unique(integrator):
    raws = {ApiToken.issue(integrator, f"t{i}")[1] for i in range(20)}
    assert len(raws) == 20


def test_authenticate_returns_the_user_and_marks_last_used(integrator):
    token, raw = ApiToken.issue(integrator, "A")
    assert token.last_used is None
    assert authenticate_token(raw) == integrator
    assert authenticate_token(f"  {raw}\n") == integrator  # header whitespace
    token.refresh_from_db()
    assert token.last_used is not None
    assert timezone.now() - token.last_used < dt.timedelta(minutes=1)


def test_last_used_is_not_rewritten_on_every_request(integrator):
    token, raw = ApiToken.issue(integrator, "A")
    authenticate_token(raw)
    first = ApiToken.objects.get(pk=token.pk).last_used
    authenticate_token(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used == first
    old = timezone.now() - dt.timedelta(hours=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used=old)
    authenticate_token(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used > old


def test_revoked_token_is_refused(integrator):
    token, raw = ApiToken.issue(integrator, "A")
    token.revoke()
    assert token.revoked is not None
    assert authenticate_token(raw) is None
    assert not token.is_active


def test_inactive_user_token_is_refused(integrator):
    _, raw = ApiToken.issue(integrator, "A")
    integrator.is_active = False
    integrator.save()
    assert authenticate_token(raw) is None


def test_wrong_or_empty_tokens_are_refused(integrator):
    _, raw = ApiToken.issue(integrator, "A")
    for bad in (None, "", "   ", raw[:-1], raw + "x", raw.upper(), "cchc_" + "a" * 43, hash_token(raw)):
        assert authenticate_token(bad) is None, bad


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_random_strings_never_authenticate(db, text):
    assert authenticate_token(text) is None


def test_admin_issues_token_and_shows_it_once(client, users):
    client.force_login(users["admin"])
    response = client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": users["reporter"].pk, "name": "Cổng dịch vụ công", "_save": "Lưu"},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Cổng dịch vụ công")
    shown = [str(m) for m in response.context["messages"]]
    raws = [word for m in shown for word in m.split() if word.startswith("cchc_")]
    assert len(raws) == 1
    assert authenticate_token(raws[0]) == users["reporter"]
    assert hash_token(raws[0]) == token.token_hash
    # the change page never shows it again
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert raws[0] not in page
    assert token.token_hash not in page
    # issuing is audited, without the hash
    entry = LogEntry.objects.get_for_object(token).get()
    assert entry.actor == users["admin"]
    assert "token_hash" not in entry.changes_dict


def test_admin_revokes_tokens(client, users):
    token, raw = ApiToken.issue(users["reporter"], "A")
    client.force_login(users["admin"])
    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked is not None
    assert authenticate_token(raw) is None
