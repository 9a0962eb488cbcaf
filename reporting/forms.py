"""Forms of the reporting pages. They check what people type; the changes themselves are made
by reporting/actions.py and the workflow (ics_portal/workflow/actions.py), which also enforce
the rules of submission (each kind's `submission_errors`, reporting/kinds.py). Saving a draft never needs every field."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import ProseEditorWidget

from ics_portal.date_input import DateInputField
from ics_portal.forms import NamedErrorsMixin
from ics_portal.models import ReportingCycle
from ics_portal.periods import Quarter
from ics_portal.richtext import EDITOR_EXTENSIONS, sanitise_html
from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow.kinds import kind_of

from .models import WorkstreamUpdate
from .review import quarter_headings

_NO_STATUS = [("", "No status yet")]


class ExpectedOnSubmit:
    """A field the lead is expected to fill in before submitting, so it is not labelled
    "(optional)"; but a draft may leave it empty: what submission needs is checked by
    the workflow's `submit`, which reports back through the same form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.required = True

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class RichTextFormField(ExpectedOnSubmit, ProseEditorFormField):
    pass


class StatusField(ExpectedOnSubmit, forms.ChoiceField):
    pass


def rich_text_field(label: str, help_text: str = "", rows: int = 8) -> ProseEditorFormField:
    """The editor's field, cleaned with the portal's allow-list (ics_portal.richtext)."""
    return RichTextFormField(
        label=label,
        help_text=help_text,
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=sanitise_html,
        widget=ProseEditorWidget(attrs={"rows": rows}),
    )


def _status_field(label: str, help_text: str = "") -> forms.ChoiceField:
    return StatusField(
        label=label, help_text=help_text, choices=DeliveryStatus.choices, widget=forms.RadioSelect
    )


class CycleForm(NamedErrorsMixin, forms.ModelForm):
    """Governance sets up a quarter's reporting cycle (opened from its page)."""

    quarter = forms.TypedChoiceField(
        choices=[(n, f"Quarter {n}") for n in range(1, 5)],
        coerce=int,
        error_messages={"required": "Select the quarter"},
    )

    class Meta:
        model = ReportingCycle
        fields = [
            "fy_start_year",
            "quarter",
            "opens_on",
            "submission_deadline",
            "review_deadline",
            "board_forum",
            "board_meeting_date",
        ]
        field_classes = {
            "opens_on": DateInputField,
            "submission_deadline": DateInputField,
            "review_deadline": DateInputField,
            "board_meeting_date": DateInputField,
        }
        error_messages = {
            "fy_start_year": {"required": "Enter the year the financial year starts, like 2021"},
            "opens_on": {"required": "Enter the date the cycle opens"},
            "submission_deadline": {"required": "Enter the submission deadline"},
            "review_deadline": {"required": "Enter the review deadline"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fy_start_year"].widget.attrs.update({"inputmode": "numeric"})

    @staticmethod
    def initial_for_next_quarter(today: date | None = None) -> dict:
        """The quarter after the latest cycle (or the current quarter), with usual dates."""
        latest = ReportingCycle.objects.order_by("-fy_start_year", "-quarter").first()
        period = (
            latest.period.next() if latest else Quarter.containing(today or timezone.localdate())
        )
        # Leads report on a quarter as it ends: open three weeks before its end.
        opens = period.end - timedelta(days=21)
        return {
            "fy_start_year": period.fy_start_year,
            "quarter": period.number,
            "opens_on": opens,
            "submission_deadline": period.end,
            "review_deadline": period.end + timedelta(days=14),
        }

    def clean(self):
        data = super().clean()
        year, quarter = data.get("fy_start_year"), data.get("quarter")
        if (
            year
            and quarter
            and ReportingCycle.objects.filter(fy_start_year=year, quarter=quarter).exists()
        ):
            self.add_error(
                "quarter", f"There is already a reporting cycle for {Quarter(year, quarter)}"
            )
        opens, deadline, review = (
            data.get("opens_on"),
            data.get("submission_deadline"),
            data.get("review_deadline"),
        )
        if opens and deadline and deadline < opens:
            self.add_error("submission_deadline", "The submission deadline must be after opening")
        if deadline and review and review < deadline:
            self.add_error(
                "review_deadline", "The review deadline must be on or after the submission deadline"
            )
        return data

    def validate_unique(self):
        # clean() gives the message people read; the database constraint is the backstop.
        pass

    def action_fields(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


def required_when(field: forms.Field, condition: str) -> forms.Field:
    """Mark a field that submission needs only in some cases, so its label says "(required
    when …)" instead of "(optional)" (templates/nhsuk/field.html); the rule itself is the
    kind's `submission_errors` (reporting/kinds.py)."""
    field.required_when = condition
    return field


def _status_explanation_field(required_when_condition: str) -> forms.CharField:
    """Why the status is what it is: needed at submission only when the status is at risk."""
    return required_when(
        forms.CharField(
            label="Status explanation",
            help_text="Say why, and what is being done.",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        ),
        required_when_condition,
    )


class UpdateForm(NamedErrorsMixin, forms.Form):
    """What the workstream and golden-thread forms share: the version the edit was based on
    (optimistic locking), the statuses, key risks and the linked BAF risks."""

    # A draft may be saved half written: no browser-side "required" checks.
    use_required_attribute = False

    version = forms.IntegerField(widget=forms.HiddenInput)

    # Validation errors from `submit` name these keys; the error summary links each to
    # the field it concerns.
    def field_for_error(self, key: str) -> str | None:
        if key.startswith("milestone_") and f"{key}_revised_date" in self.fields:
            return f"{key}_revised_date"
        return key if key in self.fields else None

    def add_submission_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            self.add_error(self.field_for_error(key), message)

    def mark_changes_asked(self, sections) -> None:
        """The reviewer returned the update asking for changes to `sections`
        (review.sections_to_change): each of their fields is described by the section's
        "The reviewer asked for changes here" note, whose id is returned-<key>."""
        for section in sections:
            for name in section.fields:
                if name in self.fields:
                    self.fields[name].returned_section = section
                    self.fields[name].described_by = f"returned-{section.key}"

    def mark_carried_forward(self, sections, source: str) -> None:
        """Text copied from the `source` quarter's approved update and not changed since
        (review.unchanged_sections, compared on the server): each field says so in a hint,
        "Copied from Q2 2021/22, unchanged", until the lead edits it."""
        for section in sections:
            if section.key in self.fields:
                self.fields[section.key].carried_from = source

    def mark_conflicts(self, panels) -> None:
        """Sections changed by someone else too (edit_presenters.conflict_panels): each field
        carries its panel, shown above it, and an error that the summary links to."""
        for panel in panels:
            names = (
                [f"{panel.key}_{part}" for part in ("status", "revised_date", "note")]
                if panel.key.startswith("milestone_")
                else [panel.key]
            )
            for name in names:
                if name in self.fields:
                    self.fields[name].conflict = panel
            if panel.field_name in self.fields:
                self.add_error(panel.field_name, f"{panel.sentence}: choose which to keep")

    def _risk_choices(self, update, allowed):
        linked = {r.pk: r for r in update.baf_risks.all()}
        risks = {r.pk: r for r in allowed} | linked
        self.risks = risks
        return [
            (pk, f"Risk {r.reference}: {r.title}")
            for pk, r in sorted(risks.items(), key=lambda item: item[1].reference)
        ]

    def chosen_risks(self) -> list:
        return [self.risks[pk] for pk in self.cleaned_data["baf_risks"]]

    def written_fields(self) -> dict:
        """The plain fields its kind's leads write (the kind's `fields`), as cleaned."""
        return {name: self.cleaned_data[name] for name in kind_of(self.update).fields}


class WorkstreamUpdateForm(UpdateForm):
    """A workstream's quarterly update. Fields for each objective and milestone are added per
    update: objective_<id>, milestone_<id>_status / _revised_date / _note."""

    overall_status = _status_field("Overall status", "How the workstream is doing this quarter.")
    forecast_status = _status_field(
        "Forecast status (next quarter)", "How confident you are of delivery next quarter."
    )
    status_explanation = _status_explanation_field("the overall status is At risk or Delayed")
    key_risks = rich_text_field("Key risks and issues")
    baf_risks = forms.TypedMultipleChoiceField(
        label="Linked BAF risks",
        help_text="The Board Assurance Framework risks this workstream's issues relate to.",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    nothing_to_escalate = forms.BooleanField(label="Nothing new to escalate", required=False)
    date_of_update = DateInputField(label="Date of update", required=False)

    def __init__(self, *args, update: WorkstreamUpdate, workstream_risks=(), **kwargs):
        self.update = update
        _, plans_heading = quarter_headings(update.cycle)
        objectives = list(update.objective_progress.all())
        milestones = list(update.milestone_progress.all())
        initial = {
            "version": update.version,
            "overall_status": update.overall_status,
            "forecast_status": update.forecast_status,
            "status_explanation": update.status_explanation,
            "next_quarter_plans": update.next_quarter_plans,
            "key_risks": update.key_risks,
            "baf_risks": [r.pk for r in update.baf_risks.all()],
            "nothing_to_escalate": update.nothing_to_escalate,
            "date_of_update": update.date_of_update or timezone.localdate(),
        }
        for row in objectives:
            initial[f"objective_{row.objective_id}"] = row.progress
        for row in milestones:
            prefix = f"milestone_{row.milestone_id}"
            initial[f"{prefix}_status"] = row.status
            initial[f"{prefix}_revised_date"] = row.revised_date
            initial[f"{prefix}_note"] = row.note
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["next_quarter_plans"] = rich_text_field(
            plans_heading, f"What the workstream will do in {update.cycle.period.next().label}."
        )
        self.fields[
            "overall_status"
        ].help_text = f"How the workstream is doing in {update.cycle.period.label}."
        self.fields[
            "forecast_status"
        ].help_text = f"How confident you are of delivery in {update.cycle.period.next().label}."
        self.objective_names = []
        for row in objectives:
            name = f"objective_{row.objective_id}"
            self.fields[name] = rich_text_field(
                f"Objective {row.objective.number}: {row.objective.text}",
                f"Target {row.objective.target_label}" if row.objective.target_label else "",
            )
            self.objective_names.append(name)
        self.milestone_rows = []
        self.milestone_due: dict[str, str] = {}  # this workstream's delivery-by, as written
        for row in milestones:
            prefix = f"milestone_{row.milestone_id}"
            self.fields[f"{prefix}_status"] = forms.ChoiceField(
                label="Status", choices=_NO_STATUS + DeliveryStatus.choices, required=False
            )
            # Messages name the milestone: a form has several revised dates.
            self.fields[f"{prefix}_revised_date"] = DateInputField(
                label="Revised date",
                required=False,
                what=f'Revised date of "{row.milestone.title}"',
            )
            required_when(
                self.fields[f"{prefix}_revised_date"], "overdue, unless the note gives a reason"
            )
            self.fields[f"{prefix}_note"] = required_when(
                forms.CharField(
                    label="Note",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text="The reason, if the milestone is overdue and has no revised date.",
                ),
                "overdue and no revised date is given",
            )
            self.milestone_rows.append((row.milestone, prefix))
            due = row.due_text
            if row.due_date and due == f"{row.due_date:%-d %B %Y}":
                due = f"Delivery by {due}"  # a date with no label as written
            self.milestone_due[prefix] = due
        self.fields["baf_risks"].choices = self._risk_choices(update, workstream_risks)
        # The order of the page, so the error summary lists problems top to bottom.
        self.order_fields(
            [
                "version",
                *self.objective_names,
                *(
                    f"{prefix}_{part}"
                    for _, prefix in self.milestone_rows
                    for part in ("status", "revised_date", "note")
                ),
                "overall_status",
                "forecast_status",
                "status_explanation",
                "next_quarter_plans",
                "key_risks",
                "baf_risks",
                "nothing_to_escalate",
                "date_of_update",
            ]
        )

    def milestone_fields(self):
        """(milestone, this workstream's delivery-by, status field, revised date field, note
        field) for the template."""
        for milestone, prefix in self.milestone_rows:
            yield (
                milestone,
                self.milestone_due[prefix],
                self[f"{prefix}_status"],
                self[f"{prefix}_revised_date"],
                self[f"{prefix}_note"],
            )

    def objective_fields(self):
        return [self[name] for name in self.objective_names]

    def action_kwargs(self) -> dict:
        """Keyword arguments for actions.save_update."""
        data = self.cleaned_data
        return {
            "fields": self.written_fields(),
            "objective_progress": {
                int(name.removeprefix("objective_")): data[name] for name in self.objective_names
            },
            "milestone_rows": {
                milestone.pk: {
                    "status": data[f"{prefix}_status"],
                    "revised_date": data[f"{prefix}_revised_date"],
                    "note": data[f"{prefix}_note"],
                }
                for milestone, prefix in self.milestone_rows
            },
            "baf_risks": self.chosen_risks(),
        }


class GoldenThreadUpdateForm(UpdateForm):
    """A golden thread's quarterly update: "Quarter N update", "Quarter N+1 plans", key risks,
    and the objectives and BAF risks it reports against."""

    overall_status = _status_field("Overall status")
    status_explanation = _status_explanation_field("the status is At risk or Delayed")
    key_risks = rich_text_field("Key risks")
    nothing_to_escalate = forms.BooleanField(
        label="No additional risks for escalation", required=False
    )
    objectives = forms.TypedMultipleChoiceField(
        label="Linked objectives",
        help_text="Development-plan objectives this update reports against.",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    baf_risks = forms.TypedMultipleChoiceField(
        label="Linked BAF risks", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, update, all_risks=(), thread_objectives=(), **kwargs):
        self.update = update
        update_heading, plans_heading = quarter_headings(update.cycle)
        initial = {
            "version": update.version,
            "overall_status": update.overall_status,
            "status_explanation": update.status_explanation,
            "quarter_update": update.quarter_update,
            "next_quarter_plans": update.next_quarter_plans,
            "key_risks": update.key_risks,
            "nothing_to_escalate": update.nothing_to_escalate,
            "objectives": [o.pk for o in update.objectives.all()],
            "baf_risks": [r.pk for r in update.baf_risks.all()],
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["quarter_update"] = rich_text_field(
            update_heading,
            f"Summarise what activity has taken place during {update.cycle.period.label}.",
            8,
        )
        self.fields["next_quarter_plans"] = rich_text_field(
            plans_heading, f"What will happen in {update.cycle.period.next().label}."
        )
        self.order_fields(
            [
                "version",
                "overall_status",
                "status_explanation",
                "quarter_update",
                "next_quarter_plans",
                "key_risks",
                "baf_risks",
                "nothing_to_escalate",
                "objectives",
            ]
        )
        self.fields["baf_risks"].choices = self._risk_choices(update, all_risks)
        objectives = {o.pk: o for o in thread_objectives} | {
            o.pk: o for o in update.objectives.all()
        }
        self.objective_choices = objectives
        self.fields["objectives"].choices = [
            (pk, f"{o.workstream.code} {o.number}: {o.text}")
            for pk, o in sorted(
                objectives.items(), key=lambda item: (item[1].workstream.code, item[1].number)
            )
        ]

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "fields": self.written_fields(),
            "baf_risks": self.chosen_risks(),
            "objectives": [self.objective_choices[pk] for pk in data["objectives"]],
        }


def form_for(update, data=None) -> UpdateForm:
    """The edit form of a workstream or golden-thread update, as its kind makes it
    (reporting/kinds.py), its choices read in fixed queries."""
    return kind_of(update).edit_form(update, data)


# --- the cycle page's list of updates: filter and sort (a GET form, so links can be kept) ------

SORTS = {
    "plan": "Plan order (themes, then golden threads)",
    "update": "Update, A to Z",
    "-update": "Update, Z to A",
    "lead": "Lead, A to Z",
    "-lead": "Lead, Z to A",
    "state": "State, not started first",
    "-state": "State, approved first",
    "changed": "Last change, oldest first",
    "-changed": "Last change, newest first",
}


class CycleUpdatesFilterForm(NamedErrorsMixin, forms.Form):
    """Which of a cycle's updates to list and in what order. Its choices come from the rows
    already loaded for the page (`themes`, `leads`), so it costs no query; a value that is not
    one of them is an error naming the field, and the other filters still apply."""

    state = forms.ChoiceField(
        label="State",
        required=False,
        error_messages={"invalid_choice": "Select a state from the list"},
    )
    theme = forms.ChoiceField(
        label="Theme or golden threads",
        required=False,
        error_messages={"invalid_choice": "Select a theme or golden threads from the list"},
    )
    lead = forms.ChoiceField(
        label="Lead or deputy",
        required=False,
        error_messages={"invalid_choice": "Select a lead or deputy from the list"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=list(SORTS.items()),
        error_messages={"invalid_choice": "Select how to sort the updates from the list"},
    )

    def __init__(self, data, *, themes: list[tuple[str, str]], leads: list[tuple[str, str]]):
        # Only the form's own parameters: another in the address is not an error.
        if data is not None:
            data = {name: data[name] for name in self.base_fields if name in data}
        super().__init__(data)
        self.fields["state"].choices = [("", "Any state"), *WorkflowState.choices]
        self.fields["theme"].choices = [("", "Any theme"), *themes]
        self.fields["lead"].choices = [("", "Anyone"), *leads]

    def chosen(self) -> dict[str, str]:
        """The valid filters and sort (an invalid one is left out, so it does not apply)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
