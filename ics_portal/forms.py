from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from . import mail


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
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive.",
        "inactive": "This account is inactive. Contact the governance team.",
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the email rendered in the request and sent by the task
    worker like every other portal email (ics_portal/mail.py), so the page never waits for
    the mail server."""

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
        # Nothing to wait for: the reset writes nothing to the database.
        mail.queue(
            subject=subject, text=text, html=html, recipients=[to_email], name="password reset"
        )
