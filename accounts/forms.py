"""Forms of the accounts app."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _


class OtpCodeForm(forms.Form):
    """A 6-digit code from an authenticator app (spaces allowed, as apps show "123 456")."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return code
