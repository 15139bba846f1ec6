"""Forms of the periods pages; every error message names its field.

Messages with numbers are built in `__init__`, when the request's language is active.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import windows
from .models import Period, PeriodKind
from .services import MAX_DEADLINE_DAYS

NAME_MAX = Period._meta.get_field("name").max_length


def _same_message(field: forms.Field, message: str, *keys: str) -> None:
    for key in keys:
        field.error_messages[key] = message


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        message = _("Year: enter a year from %(min)s to %(max)s.") % {
            "min": windows.MIN_YEAR, "max": windows.MAX_YEAR}
        _same_message(field, message, "required", "invalid")

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not windows.MIN_YEAR <= year <= windows.MAX_YEAR:
            raise forms.ValidationError(self.fields["year"].error_messages["invalid"])
        return year


class CustomPeriodForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        help_text=gettext_lazy(
            "The year, “-C-”, then lowercase letters without accents, digits and hyphens, "
            "e.g. 2021-C-kiem-tra."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name"))
    start = forms.DateField(
        label=gettext_lazy("Data window start"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("Data window end"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["maxlength"] = windows.MAX_CODE_LENGTH
        self.fields["name"].widget.attrs["maxlength"] = NAME_MAX
        _same_message(self.fields["code"], _("Code: enter the code of the period."), "required")
        _same_message(self.fields["name"], _("Name: enter the name of the period."), "required")
        _same_message(
            self.fields["start"], _("Start date: enter a valid date (dd/mm/yyyy)."), "required", "invalid"
        )
        _same_message(
            self.fields["end"], _("End date: enter a valid date (dd/mm/yyyy)."), "required", "invalid"
        )


class DeadlinesForm(forms.Form):
    """One whole number of days per period kind."""

    def __init__(self, *args: Any, initial_days: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in PeriodKind:
            message = _("%(kind)s: the number of days must be a whole number from 0 to %(max)s.") % {
                "kind": kind.label, "max": MAX_DEADLINE_DAYS}
            field = forms.IntegerField(
                label=kind.label,
                initial=initial_days[kind.value],
                widget=forms.NumberInput(attrs={"min": 0, "max": MAX_DEADLINE_DAYS}),
            )
            _same_message(field, message, "required", "invalid")
            self.fields[kind.value] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for kind in PeriodKind:
            days = cleaned.get(kind.value)
            if days is not None and not 0 <= days <= MAX_DEADLINE_DAYS:
                self.add_error(kind.value, self.fields[kind.value].error_messages["invalid"])
        return cleaned
