import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.forms.utils import pretty_name
from django.template import loader

from . import mail
from .models import User

# --- error messages that name their field (the NHS error message pattern) ----------------------

GENERIC_REQUIRED = str(forms.Field.default_error_messages["required"])


def _lower_first(label: str) -> str:
    """ "Date of meeting" -> "date of meeting"; an acronym ("BAF risk") keeps its capitals."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def required_message(field: forms.Field, name: str) -> str:
    """What to say when `field` is left empty, built from its label: "Enter the lead",
    "Select the quarter", "Select at least one of the sections to include"."""
    label = str(field.label or pretty_name(name)).strip().rstrip(":")
    widget = field.widget
    if isinstance(widget, forms.HiddenInput):
        # Not something the person typed: the page they sent was incomplete.
        return "The page was out of date. Reload it and try again"
    if label.endswith("?"):
        return f"Answer \u201c{label}\u201d"
    label = _lower_first(label)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return f"Select at least one of the {label}"
    if isinstance(field, forms.BooleanField):
        return f"Select \u201c{label}\u201d"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
        widget, forms.Select | forms.RadioSelect
    ):
        return f"Select the {label}"
    return f"Enter the {label}"


class NamedErrorsMixin:
    """Put first in a form's bases: every required field left empty gets a message naming it
    (`required_message`) instead of Django's "This field is required."; a form may word one
    itself in `required_messages` (field name -> message) or in the field's error_messages."""

    required_messages: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in self.required_messages:
                field.error_messages["required"] = self.required_messages[name]
            elif str(field.error_messages.get("required", "")) == GENERIC_REQUIRED:
                field.error_messages["required"] = required_message(field, name)


class SignInForm(NamedErrorsMixin, AuthenticationForm):
    """Sign in with an email address and password."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    required_messages = {"username": "Enter your email address", "password": "Enter your password"}

    error_messages = {
        # The email is matched in any case; the password exactly as typed.
        "invalid_login": (
            "Enter a correct email address and password. The password is case-sensitive."
        ),
        "inactive": "This account is inactive. Contact the governance team.",
    }


class QueuedPasswordResetForm(NamedErrorsMixin, PasswordResetForm):
    """Django's password reset, with the email rendered in the request and sent by the task
    worker like every other portal email (ics_portal/mail.py), so the page never waits for
    the mail server.

    Unlike Django's, it also sends to active people who have no password yet (imported
    people, whose invitation link has expired): choosing one is how they first sign in. The
    view throttles and audits it (views.PasswordResetView, accounts.password_reset_requested).
    """

    required_messages = {"email": "Enter your email address"}

    def get_users(self, email):
        email = email.strip()
        # The same case-folding check as Django's (CVE-2019-19844): the database's
        # case-insensitive match alone could pair two different addresses.
        return (
            person
            for person in User.objects.filter(email__iexact=email, is_active=True)
            if _casefolded(person.email) == _casefolded(email)
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        text = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        # Nothing to wait for: the request's audit event is already committed.
        mail.queue(
            subject=subject, text=text, html=html, recipients=[to_email], name="password reset"
        )


def _casefolded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class FeedbackForm(forms.Form):
    """The feedback page's questions; the messages name the field (NHS service manual)."""

    trying_to_do = forms.CharField(
        label="What were you trying to do?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter what you were trying to do",
            "max_length": "What you were trying to do must be 2000 characters or fewer",
        },
    )
    what_happened = forms.CharField(
        label="What happened?",
        max_length=2000,
        help_text="Tell us what went wrong or what was missing. Do not include personal or "
        "patient information.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter what happened",
            "max_length": "What happened must be 2000 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="Only if you would like a reply.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk"
        },
    )
    # The page the banner link was followed from, carried through the form.
    page = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
