"""Vietnamese everywhere: complete catalogs, compiled .mo in step with .po, vi pages and numbers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
PO_FILES = sorted((ROOT / "cchc").glob("*/locale/vi/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\w*\}")


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(ROOT / "cchc").parts[0] for p in paths]


def _po_map(po: polib.POFile) -> dict[tuple[str | None, str], object]:
    out: dict[tuple[str | None, str], object] = {}
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        value = tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)) if entry.msgid_plural \
            else entry.msgstr
        out[(entry.msgctxt, entry.msgid)] = value
    return out


def test_the_foundation_catalogs_exist():
    apps = set(_ids(PO_FILES))
    assert {"accounts", "web"} <= apps


@pytest.mark.parametrize("po_path", PO_FILES, ids=_ids(PO_FILES))
def test_catalog_is_complete(po_path: Path):
    po = polib.pofile(str(po_path))
    assert po.metadata.get("Language") == "vi", f"{po_path}: header Language must be vi"
    assert not po.metadata_is_fuzzy, f"{po_path}: the header is still marked fuzzy"
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"{po_path}: untranslated {untranslated}"
    assert fuzzy == [], f"{po_path}: fuzzy {fuzzy}"


@pytest.mark.parametrize("po_path", PO_FILES, ids=_ids(PO_FILES))
def test_placeholders_survive_translation(po_path: Path):
    po = polib.pofile(str(po_path))
    for entry in po.translated_entries():
        if entry.msgid_plural:
            targets = list(entry.msgstr_plural.values())
            wanted = set(PLACEHOLDER.findall(entry.msgid_plural))
        else:
            targets = [entry.msgstr]
            wanted = set(PLACEHOLDER.findall(entry.msgid))
        for target in targets:
            assert set(PLACEHOLDER.findall(target)) == wanted, f"{po_path}: {entry.msgid!r} → {target!r}"


@pytest.mark.parametrize("po_path", PO_FILES, ids=_ids(PO_FILES))
def test_compiled_mo_matches_po(po_path: Path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run compilemessages and commit it"
    po_map = _po_map(polib.pofile(str(po_path)))
    mo_map = _po_map(polib.mofile(str(mo_path)))
    stale = {k for k in po_map.keys() | mo_map.keys() if po_map.get(k) != mo_map.get(k)}
    assert stale == set(), f"{mo_path} differs from its .po for {sorted(k[1] for k in stale)[:10]}"


# --- pages in the default language ---------------------------------------------------------------


def test_login_page_is_vietnamese_by_default(client, db):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in html
    for text in ("Đăng nhập", "Tên đăng nhập", "Mật khẩu", "Cải cách hành chính (CCHC)"):
        assert text in html
    assert "Log in" not in html


def test_home_page_is_vietnamese_by_default(client, users):
    client.force_login(users["officer"])
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="vi">' in html
    for text in ("Tổng quan", "Đơn vị đang hoạt động", "Kỳ báo cáo đang mở", "Nhật ký thay đổi", "Đăng xuất",
                 "Cán bộ CCHC cấp tỉnh"):
        assert text in html
    assert "Dashboard" not in html


# --- numbers and dates ---------------------------------------------------------------------------


def test_vietnamese_number_formats():
    assert translation.get_language() == "vi"
    assert formats.number_format(1964, force_grouping=True) == "1.964"
    assert formats.number_format(Decimal("28.94"), 2) == "28,94"
    assert formats.number_format(1234567.5, 1, force_grouping=True) == "1.234.567,5"


def test_template_values_are_localised():
    out = Template("{{ n }}|{{ d }}|{{ day }}").render(
        Context({"n": 1964, "d": Decimal("28.94"), "day": dt.date(2020, 12, 15)})
    )
    assert out == "1.964|28,94|15/12/2020"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_any_integer_groups_by_three_with_dots(n: int):
    with translation.override("vi"):
        text = formats.number_format(n, force_grouping=True)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*", text), text
    assert int(text.replace(".", "")) == n


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_any_decimal_uses_comma(value: Decimal):
    with translation.override("vi"):
        text = formats.number_format(value, 2, force_grouping=True)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d{2}", text), text
    assert Decimal(text.replace(".", "").replace(",", ".")) == value


@pytest.mark.parametrize("app", ["accounts", "web"])
def test_own_translations_are_the_ones_shown(app: str):
    """Django merges all catalogs and the first app wins: a msgid that Django's admin (or another
    app) also translates would show their text, not ours. Such msgids need a context."""
    po = polib.pofile(str(ROOT / "cchc" / app / "locale/vi/LC_MESSAGES/django.po"))
    with translation.override("vi"):
        for entry in po.translated_entries():
            if entry.msgid_plural:
                shown = translation.ngettext(entry.msgid, entry.msgid_plural, 2)
                assert shown == entry.msgstr_plural[0], entry.msgid
                continue
            if entry.msgctxt:
                shown = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                shown = translation.gettext(entry.msgid)
            assert shown == entry.msgstr, f"{entry.msgid!r} is shown as {shown!r}"
