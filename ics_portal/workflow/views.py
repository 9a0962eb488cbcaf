"""What the workflow's pages share: a refusal shown on its form, and the one reason page."""

from django.http import HttpResponse
from django.shortcuts import render

from .errors import ActionError, SubmissionInvalid


def add_action_errors(form, error: ActionError) -> None:
    """Show an action's refusal on the form: at its field where it names one, else on top."""
    if isinstance(error, SubmissionInvalid):
        for name, message in error.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, str(error))


def reason_page(request, template_context: dict) -> HttpResponse:
    """The one page every reason form uses (templates/reporting/reason_form.html)."""
    return render(request, "reporting/reason_form.html", template_context)
