"""Small forms of the reporting pages: the officer's return reason and the XLSX upload.

The data-entry form itself is built from the catalog in the view (one row per indicator), because its
fields are data, not code; its checks are the services' (`parse_entry`), so the web, the API and
the command line refuse the same input with the same Vietnamese messages.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.reporting.xlsx import MAX_BYTES


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Why is the report returned?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Filled XLSX template"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("File “%(name)s” is not an XLSX workbook (.xlsx).") % {"name": upload.name}
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("File “%(name)s” is larger than %(max)s MB.")
                % {"name": upload.name, "max": MAX_BYTES // (1024 * 1024)}
            )
        return upload
