"""What the workflow's pages share: running a reason form's action, a refusal shown on its
form, and the one reason page."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

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


def act_on_form(request, form, item, action: Callable, done: Callable) -> HttpResponse | None:
    """On a valid POST, run `action(cleaned_data)` for `item`: a refusal goes on the form (None:
    draw the page again); success flashes `done(result)` and returns to the item's page."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ActionError as error:
        add_action_errors(form, error)
        return None
    messages.success(request, done(result))
    return redirect(item)
