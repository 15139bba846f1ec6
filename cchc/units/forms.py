"""Forms for editing one unit and uploading a unit list."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Unit
from .queries import descendant_ids
from .tables import CSV_SUFFIXES, XLSX_SUFFIXES, split_codes

DATE_WIDGET = {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), "required": False}


class UnitForm(forms.ModelForm):
    """Parent and successors are typed as codes: a select of thousands of communes helps nobody."""

    parent_code = forms.CharField(
        label=gettext_lazy("Parent unit code"), required=False, max_length=40,
        help_text=gettext_lazy("Leave empty for a top-level unit (administrators only)."),
    )
    successor_codes = forms.CharField(
        label=gettext_lazy("Successor unit codes"), required=False, max_length=2000,
        help_text=gettext_lazy("For a merged, split or abolished unit: the codes of the units that "
                               "carry on its work, separated by “;”."),
    )
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), **DATE_WIDGET)
    valid_to = forms.DateField(label=gettext_lazy("Valid to (last day)"), **DATE_WIDGET)

    field_order = ["code", "name", "kind", "parent_code", "valid_from", "valid_to", "successor_codes"]

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "valid_from", "valid_to"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        unit = self.instance
        if unit.pk and not self.is_bound:
            self.initial.setdefault("parent_code", unit.parent.code if unit.parent_id else "")
            self.initial.setdefault(
                "successor_codes", "; ".join(unit.successors.values_list("code", flat=True))
            )
        self.parent: Unit | None = None
        self.successors: list[Unit] = []

    def clean_parent_code(self) -> str:
        code = self.cleaned_data["parent_code"].strip()
        if code:
            self.parent = Unit.objects.filter(code=code).first()
            if self.parent is None:
                raise forms.ValidationError(_("There is no unit with code “%(code)s”.") % {"code": code})
            if self.instance.pk and self.parent.pk in descendant_ids(self.instance.pk):
                raise forms.ValidationError(
                    _("Unit “%(code)s” is this unit or lies under it: the parents would form a cycle.")
                    % {"code": code}
                )
        return code

    def clean_successor_codes(self) -> str:
        codes = split_codes(self.cleaned_data["successor_codes"])
        own = self.cleaned_data.get("code") or self.instance.code
        if own in codes:
            raise forms.ValidationError(_("A unit cannot be its own successor."))
        found = Unit.objects.in_bulk(codes, field_name="code")
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(
                _("There is no unit with code %(codes)s.") % {"codes": ", ".join(f"“{c}”" for c in missing)}
            )
        self.successors = [found[c] for c in codes]
        return "; ".join(codes)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end of validity is before its start."))
        return data

    def save(self, commit: bool = True) -> Unit:
        unit = super().save(commit=False)
        unit.parent = self.parent
        if commit:
            unit.save()
            if set(unit.successors.all()) != set(self.successors):
                unit.successors.set(self.successors)
        return unit


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Unit list (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
            message = _("File type “%(suffix)s” is not supported; upload a CSV or XLSX file.")
            raise forms.ValidationError(message % {"suffix": suffix or "?"})
        limit = settings.CCHC_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the %(limit)s MB limit.") % {"limit": f"{limit / 1048576:g}"}
            )
        return upload
