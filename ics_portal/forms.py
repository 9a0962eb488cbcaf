import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from . import mail
from .models import User


class SignInForm(AuthenticationForm):
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

    error_messages = {
        # The email is matched in any case; the password exactly as typed.
        "invalid_login": (
            "Enter a correct email address and password. The password is case-sensitive."
        ),
        "inactive": "This account is inactive. Contact the governance team.",
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the email rendered in the request and sent by the task
    worker like every other portal email (ics_portal/mail.py), so the page never waits for
    the mail server.

    Unlike Django's, it also sends to active people who have no password yet (imported
    people, whose invitation link has expired): choosing one is how they first sign in. The
    view throttles and audits it (views.PasswordResetView, accounts.password_reset_requested).
    """

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
