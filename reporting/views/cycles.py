"""Governance runs reporting cycles: create, open, follow progress, chase and close."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ics_portal.models import ReportingCycle, User
from ics_portal.permissions import Perm, has_permission
from ics_portal.views_support import requires
from ics_portal.workflow.errors import ActionError

from .. import actions, numbers, presenters, reminders
from ..forms import SORTS, CycleForm, CycleUpdatesFilterForm
from ._access import load_cycle


@requires(see=Perm.CYCLE_VIEW_PROGRESS)
def cycle_list(request: HttpRequest) -> HttpResponse:
    cycles = list(ReportingCycle.objects.order_by("-fy_start_year", "-quarter"))
    counts = numbers.counts_by_cycle(cycles)
    return render(
        request,
        "reporting/cycle_list.html",
        {
            "rows": [(cycle, counts[cycle.pk]) for cycle in cycles],
        },
    )


@requires(Perm.CYCLE_MANAGE, see=Perm.CYCLE_VIEW_PROGRESS)
def cycle_create(request: HttpRequest) -> HttpResponse:
    form = CycleForm(request.POST or None, initial=CycleForm.initial_for_next_quarter())
    if request.method == "POST" and form.is_valid():
        try:
            cycle = actions.create_cycle(by=request.user, **form.action_fields())
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"{cycle.label} created as a draft. Open it when leads should start."
            )
            return redirect(cycle)
    return render(request, "reporting/cycle_form.html", {"form": form})


@requires(see=Perm.CYCLE_VIEW_PROGRESS, load=load_cycle)
def cycle_detail(request: HttpRequest, cycle: ReportingCycle) -> HttpResponse:
    """The progress page: counts overall and per theme, statuses, every update with its leads
    (filtered and sorted by a GET form, so a view of it can be bookmarked), and everyone who
    still owes an update or a risk review (whom "remind all" emails)."""
    rows = numbers.cycle_rows(cycle)
    themes, leads = presenters.filter_choices(rows)
    filters = CycleUpdatesFilterForm(request.GET, themes=themes, leads=leads)
    updates = presenters.update_list(
        rows,
        filters.chosen(),
        labels={name: dict(filters.fields[name].choices) for name in ("state", "theme", "lead")},
        sorts=SORTS,
    )
    outstanding = []
    if cycle.is_open:
        chased = reminders.reminded_on(cycle, timezone.localdate())
        outstanding = [
            (owed, chased.get(pk)) for pk, owed in numbers.owed_by_person(cycle, rows).items()
        ]
    user = request.user
    return render(
        request,
        "reporting/cycle_detail.html",
        {
            "cycle": cycle,
            "progress": numbers.cycle_counts(cycle),
            "updates": updates,
            "filters": filters,
            "outstanding": outstanding,
            "days_left": (cycle.submission_deadline - timezone.localdate()).days,
            "reminder_days": settings.REMINDER_DAYS_BEFORE,
            "can_remind": cycle.is_open and has_permission(user, Perm.CYCLE_SEND_REMINDERS),
            "can_reopen": has_permission(user, Perm.CYCLE_REOPEN, cycle),
        },
    )


@requires(Perm.CYCLE_MANAGE, see=Perm.CYCLE_VIEW_PROGRESS, load=load_cycle)
@require_POST
def cycle_open(request: HttpRequest, cycle: ReportingCycle) -> HttpResponse:
    try:
        cycle = actions.open_cycle(cycle=cycle, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        count = numbers.cycle_counts(cycle).overall.total  # as the cycle page counts them
        messages.success(
            request,
            f"{cycle.label} is open: {count} {'update was' if count == 1 else 'updates were'} "
            "created from last quarter's and every lead has been emailed.",
        )
    return redirect(cycle)


@requires(Perm.CYCLE_MANAGE, see=Perm.CYCLE_VIEW_PROGRESS, load=load_cycle, methods=("GET", "POST"))
def cycle_close(request: HttpRequest, cycle: ReportingCycle) -> HttpResponse:
    """Ask first, saying what closing leaves unfinished; close only on the confirmed POST."""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            actions.close_cycle(cycle=cycle, by=request.user)
        except ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{cycle.label} is closed to further submissions.")
        return redirect(cycle)
    if request.method == "POST":  # a form from before the confirmation step
        return redirect("reporting:cycle_close", pk=cycle.pk)
    if not cycle.is_open:
        messages.error(
            request,
            f"Only an open cycle can be closed; {cycle.label} is "
            f"{cycle.get_status_display().lower()}.",
        )
        return redirect(cycle)
    return render(request, "reporting/cycle_close.html", {"check": presenters.close_check(cycle)})


@requires(Perm.CYCLE_SEND_REMINDERS, see=Perm.CYCLE_VIEW_PROGRESS, load=load_cycle)
@require_POST
def cycle_remind(request: HttpRequest, cycle: ReportingCycle) -> HttpResponse:
    """Remind one outstanding lead (`person`) or all of them; once a day each at most."""
    person = None
    if request.POST.get("person"):
        try:
            person = forms.ModelChoiceField(User.objects.all()).clean(request.POST["person"])
        except ValidationError:
            raise Http404 from None
    try:
        sent, skipped = reminders.remind_now(
            cycle, by=request.user, today=timezone.localdate(), person=person
        )
    except ActionError as error:
        messages.error(request, str(error))
        return redirect(cycle)
    if sent:
        names = ", ".join(chase.person.full_name for chase in sent)
        messages.success(request, f"Reminder sent to {names}.")
    if skipped:
        names = ", ".join(chase.person.full_name for chase in skipped)
        messages.info(request, f"Already reminded today, so not emailed again: {names}.")
    if not sent and not skipped:
        messages.info(request, "Nobody has an update outstanding.")
    return redirect(cycle)
