"""Translation of the API's own messages.

Django loads catalogs of installed apps only; until `cchc.api` is listed in INSTALLED_APPS its
catalog (`cchc/api/locale`) is read here directly, in the active language, so the API answers in
Vietnamese either way. Once listed, Django's own lookup finds the same messages first.
"""

from __future__ import annotations

import functools
import gettext as pygettext
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext as django_gettext

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@functools.lru_cache(maxsize=8)
def _catalog(language: str) -> pygettext.NullTranslations:
    return pygettext.translation("django", LOCALE_DIR, languages=[language.split("-")[0]], fallback=True)


def gettext(message: str) -> str:
    """`message` in the active language, from Django's catalogs or else this app's own."""
    translated = django_gettext(message)
    if translated != message:
        return translated
    return _catalog(get_language() or "vi").gettext(message)
