"""Governance unblocks the workflow after a cycle closes (docs/adr/0006): reopen the cycle,
give one update a late-submission extension, or send an approved (unpublished) update back to
its leads. Each page asks for the reason, which the leads are emailed and the audit keeps."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import formats

from ics_portal.models import ReportingCycle
from ics_portal.permissions import Perm
from ics_portal.views_support import requires
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError
from ics_portal.workflow.forms import (
    ExtensionForm,
    ReopenCycleForm,
    ReopenUpdateForm,
    default_until,
)
from ics_portal.workflow.views import act_on_form, add_action_errors, reason_page

from .. import actions, reminders
from ._access import describe, load_cycle, load_update


def _day(value) -> str:
    return formats.date_format(value, "j F Y")


@requires(Perm.CYCLE_MANAGE, Perm.CYCLE_REOPEN, see=Perm.CYCLE_VIEW_PROGRESS, load=load_cycle)
def cycle_reopen(request: HttpRequest, cycle: ReportingCycle) -> HttpResponse:
    form = ReopenCycleForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = actions.reopen_cycle(
                cycle=cycle,
                by=request.user,
                reason=form.cleaned_data["reason"],
                submission_deadline=form.cleaned_data["submission_deadline"],
            )
        except ActionError as error:
            add_action_errors(form, error)
        else:
            owing = len(reminders.outstanding(cycle))
            messages.success(
                request,
                f"{cycle.label} is open again until {_day(cycle.submission_deadline)}. "
                f"{owing} {'person who still owes' if owing == 1 else 'people who still owe'} "
                "an update or a risk review "
                f"{'has' if owing == 1 else 'have'} been emailed your reason.",
            )
            return redirect(cycle)
    return reason_page(
        request,
        {
            "form": form,
            "caption": f"Reporting cycle · {cycle.get_status_display()}",
            "heading": f"Reopen {cycle.label}",
            "back_url": cycle.get_absolute_url(),
            "back_label": f"Back to {cycle.label}",
            "intro": [
                "Reopening lets every lead change and submit what they have not yet had "
                "approved, until the submission deadline. Approved and published updates stay "
                "locked.",
                "To let only one update or risk review in late, give it an extension from its "
                "page instead: the cycle stays closed for everyone else.",
            ],
            "button": "Reopen the cycle",
        },
    )


def _update_context(update, form, **extra) -> dict:
    described = describe(update)
    return {
        "form": form,
        "caption": f"{update.cycle.label} update · {update.state_label}",
        "back_url": update.get_absolute_url(),
        "back_label": "Back to the update",
        "subject": described["title"],
        **extra,
    }


@requires(Perm.UPDATE_EXTEND, load=load_update)
def update_extend(request: HttpRequest, update) -> HttpResponse:
    """A late-submission extension for one update while the cycle stays closed."""
    form = ExtensionForm(request.POST or None, initial={"extended_until": default_until(update)})
    done = act_on_form(
        request,
        form,
        update,
        lambda data: workflow.extend(
            update=update, by=request.user, until=data["extended_until"], reason=data["reason"]
        ),
        lambda extended: (
            f"{describe(update)['title']} has an extension to "
            f"{_day(extended.extended_until)}. Its leads have been emailed."
        ),
    )
    if done:
        return done
    return reason_page(
        request,
        _update_context(
            update,
            form,
            heading=f"Give {describe(update)['title']} an extension",
            intro=[
                f"The {update.cycle.label} cycle is closed. An extension lets this update's "
                "leads change and submit it until the date you give, while the cycle stays "
                "closed for everyone else. They are emailed your reason.",
            ],
            button="Give the extension",
        ),
    )


@requires(Perm.UPDATE_REOPEN, load=load_update)
def update_reopen(request: HttpRequest, update) -> HttpResponse:
    """Send an approved update that is not yet in a published pack back to its leads."""
    closed = update.cycle.is_closed
    form = ReopenUpdateForm(
        request.POST or None,
        cycle_closed=closed,
        initial={"extended_until": default_until(update)},
    )
    done = act_on_form(
        request,
        form,
        update,
        lambda data: workflow.reopen(
            update=update,
            by=request.user,
            reason=data["reason"],
            extended_until=data.get("extended_until"),
        ),
        lambda _: (
            f"{describe(update)['title']} is reopened and back with its leads, with "
            "your reason as the comments."
        ),
    )
    if done:
        return done
    intro = [
        "Reopening takes the approval off this update and returns it to its leads with your "
        "reason, so they can change it and submit it again. Any board pack PDF already "
        "generated for this cycle is discarded: generate it again once the update is approved.",
    ]
    if closed:
        intro.append(
            f"The {update.cycle.label} cycle is closed, so give the leads a date to submit it "
            "again by."
        )
    return reason_page(
        request,
        _update_context(
            update,
            form,
            heading=f"Reopen {describe(update)['title']}",
            intro=intro,
            button="Reopen the update",
        ),
    )
