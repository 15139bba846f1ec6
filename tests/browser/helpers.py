"""What every browser test does: read the Vietnamese text a page must show, log in for real."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cchc.demo import loader


def vi(msgid: str) -> str:
    """The Vietnamese text the page must show; fails if the catalog lacks it (page would be English)."""
    with translation.override("vi"):
        text = gettext(msgid)
    assert text != msgid, f"no Vietnamese translation for “{msgid}”"
    return text


def account(username: str) -> loader.DemoAccount:
    return next(a for a in loader.read_accounts() if a.username == username)


def log_in(page, live_server, username: str, password: str | None = None) -> None:
    """Log in through the real login page, as a demo account unless a password is given."""
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password if password is not None else account(username).password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
