import re

from django import forms

from ics_portal.forms import NamedErrorsMixin


def _code_widget(**attrs):
    return forms.TextInput(
        attrs={
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "autocapitalize": "none",
            "autofocus": True,
            **attrs,
        }
    )


class CodeForm(NamedErrorsMixin, forms.Form):
    """The 6-digit code from an authenticator app."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 digits the app shows now, for example 123456. A new code appears "
        "every 30 seconds.",
        max_length=20,
        widget=_code_widget(inputmode="numeric", **{"class": "nhsuk-input--width-10"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(
                "Enter the 6-digit code from your authenticator app, numbers only"
            )
        return code


class RecoveryCodeForm(NamedErrorsMixin, forms.Form):
    """One of the person's single-use recovery codes."""

    code = forms.CharField(
        label="Recovery code",
        help_text="One of the 8-character codes you saved when you set up two-step "
        "verification, for example abcd2345.",
        max_length=40,
        widget=_code_widget(**{"class": "nhsuk-input--width-10"}),
        error_messages={"required": "Enter one of your recovery codes"},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()
        if not re.fullmatch(r"[a-z2-7]{8}", code):
            raise forms.ValidationError(
                "Enter a recovery code: 8 letters and numbers, as on your list"
            )
        return code
