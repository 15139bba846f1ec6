"""Users carry one role and, for officers and reporters, the unit they act for."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
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
