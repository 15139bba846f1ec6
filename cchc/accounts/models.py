"""Users carry one role and, for officers and reporters, the unit they act for."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICER = "officer", _("Province officer")
    REPORTER = "reporter", _("Unit reporter")
    VIEWER = "viewer", _("Viewer (read only)")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Province officers act for their province; reporters for their own unit."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_admin_role(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    def save(self, *args, **kwargs) -> None:
        """Keep Django's staff flag equal to the admin role: only admins may enter /admin/."""
        self.is_staff = self.role == Role.ADMIN or self.is_superuser
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ("role" in update_fields or "is_superuser" in update_fields):
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    def has_perm(self, perm: str, obj=None) -> bool:
        """Admin-role users manage everything in Django admin, like superusers."""
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)


TOKEN_PREFIX = "cchc_"  # noqa: S105 (marks our tokens; not a secret)


def hash_token(raw: str) -> str:
    """SHA-256 of a token: tokens are 256-bit random, so a fast hash is enough and allows lookup."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A token an integrating system sends instead of a password. Only its hash is stored: the
    token itself is shown once, when it is issued."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("system name"), max_length=100, help_text=_("Which system uses this token."))
    prefix = models.CharField(_("token start"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token for `user`; returns the row and the raw token, which is not kept."""
        token = cls(user=user, name=name)
        raw = token.set_new_token()
        token.save()
        return token, raw

    def set_new_token(self) -> str:
        """Give this (unsaved) row a fresh random token; returns the raw token to show once."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.prefix = raw[:12]
        self.token_hash = hash_token(raw)
        return raw

    def revoke(self) -> None:
        if self.revoked is None:
            self.revoked = timezone.now()
            self.save(update_fields=["revoked"])

    @property
    def is_active(self) -> bool:
        return self.revoked is None and self.user.is_active


LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def authenticate_token(raw: str | None) -> User | None:
    """The active user a raw API token belongs to, or None (unknown, revoked, user inactive)."""
    if not raw or not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.active().select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
        # A queryset update: no audit entry and no write on every request of a busy integrator.
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
