"""Translation of scoring messages without importing Django.

The pure modules (template, engine) must not import Django, yet their error messages are shown to
Vietnamese users. They mark English msgids with `gettext` from here; this module reads the app's own
catalog (`locale/<lang>/LC_MESSAGES/django.mo`, maintained with Django's makemessages) through the
standard library. The language is Django's active one when Django is already loaded, else Vietnamese,
the product's default.
"""

from __future__ import annotations

import gettext as _stdlib_gettext
import sys
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "vi"


@cache
def _catalog(language: str) -> _stdlib_gettext.NullTranslations:
    return _stdlib_gettext.translation("django", localedir=LOCALE_DIR, languages=[language], fallback=True)


def active_language() -> str:
    """Django's active language if Django is loaded and configured, else the default (vi)."""
    translation = sys.modules.get("django.utils.translation")
    if translation is not None:
        try:
            language = translation.get_language()
        except Exception:  # settings not configured: Django imported but not set up
            language = None
        if language:
            return language.split("-")[0]
    return DEFAULT_LANGUAGE


def gettext(message: str) -> str:
    """Translate an English msgid into the active language (falls back to the msgid)."""
    return _catalog(active_language()).gettext(message)
