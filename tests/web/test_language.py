"""Vietnamese unless the user explicitly picked another language; the browser header is ignored."""

from __future__ import annotations

import pytest
from django.urls import reverse

LOCALE = "django.middleware.locale.LocaleMiddleware"
OURS = "cchc.web.middleware.DefaultLanguageMiddleware"


@pytest.fixture
def default_language_middleware(settings):
    settings.MIDDLEWARE = [OURS if m == LOCALE else m for m in settings.MIDDLEWARE]
    assert OURS in settings.MIDDLEWARE


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "fr", "", "vi-VN,vi;q=0.9"])
def test_browser_language_does_not_switch_to_english(client, db, default_language_middleware, accept):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept)
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert response["Content-Language"] == "vi"


def test_explicit_choice_is_honoured(client, db, default_language_middleware, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html


def test_unknown_cookie_falls_back_to_vietnamese(client, db, default_language_middleware, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="vi">' in client.get(reverse("login")).content.decode()
