"""Vietnamese by default, whatever the browser says.

Django's LocaleMiddleware follows the browser's Accept-Language header, so an official whose
browser is set to English would get an English UI. The design is `vi` by default: this middleware
uses the language the user chose explicitly (the language cookie) and otherwise LANGUAGE_CODE.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def chosen_language(request: HttpRequest) -> str:
    """The language cookie when it names a configured language, else the project default."""
    wanted = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if wanted in {code for code, _name in settings.LANGUAGES}:
        return wanted
    return settings.LANGUAGE_CODE


class DefaultLanguageMiddleware(LocaleMiddleware):
    """Drop-in replacement for django.middleware.locale.LocaleMiddleware (same place in MIDDLEWARE)."""

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
