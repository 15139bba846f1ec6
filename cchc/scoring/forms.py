"""Forms of the scoring pages: only what Django forms do better than the services (file upload, reasons).

Points are parsed by `services.parse_points` (which accepts "0,5"), so the score forms are plain POST
fields named after the criterion code (`points-1.1.1`, `comment-1.1.1`) and read in the views.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EvidenceForm(forms.Form):
    """One proof file for one criterion; type, size and content are checked by the service."""

    file = forms.FileField(
        label=_("Evidence file"),
        error_messages={"required": _("Choose a file to upload."), "empty": _("The file is empty.")},
    )


class ReturnForm(forms.Form):
    """Why the province sends a self-assessment back to the unit."""

    reason = forms.CharField(
        label=_("Reason for return"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the assessment is returned.")},
    )


def points_field(code: str) -> str:
    """POST name of the points typed for a criterion."""
    return f"points-{code}"


def comment_field(code: str) -> str:
    """POST name of the comment written for a criterion."""
    return f"comment-{code}"
