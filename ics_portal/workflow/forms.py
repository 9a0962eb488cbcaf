"""Governance's forms for unblocking the workflow after a cycle closes (docs/adr/0006): reopen
the cycle, give one item an extension, reopen an approved one, and return a submitted one
(with a date to resubmit by once the cycle is closed). Each asks for the reason the audit trail keeps."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from ics_portal.date_input import DateInputField
from ics_portal.forms import NamedErrorsMixin

from .kinds import kind_of

# What governance usually gives: a week from today.
DEFAULT_EXTENSION = timedelta(days=7)


def _reason(label: str, help_text: str, required_message: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": required_message},
    )


def until_field(required: bool = True) -> forms.DateField:
    return DateInputField(
        label="Date the leads have until",
        help_text="They can change and submit it until the end of this day, even though the "
        "cycle is closed.",
        required=required,
        error_messages={"required": "Enter the date the leads have until to submit it"},
    )


def not_in_the_past(value, message: str):
    if value is not None and value < timezone.localdate():
        raise forms.ValidationError(message)
    return value


def _address(form, who: str) -> None:
    """Word the date field for whoever writes the thing: "the leads" or "the owner"."""
    field = form.fields.get("extended_until")
    if field is not None and who != "the leads":
        field.label = f"Date {who} has until"
        field.error_messages["required"] = f"Enter the date {who} has until to submit it"
    if "reason" in form.fields and who != "the leads":
        form.fields["reason"].help_text = form.fields["reason"].help_text.replace(
            "The leads", who.capitalize()
        )


def default_until(update):
    """The date to suggest: the update's current extension, else a week from today."""
    return update.extended_until or timezone.localdate() + DEFAULT_EXTENSION


class ReopenCycleForm(NamedErrorsMixin, forms.Form):
    reason = _reason(
        "Why are you reopening the cycle?",
        "Everyone who still owes an update or a risk review is emailed this reason. It is kept "
        "in the audit trail.",
        "Enter why the cycle is being reopened",
    )
    submission_deadline = DateInputField(label="New submission deadline", required=False)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_deadline"].help_text = (
            f"Leave it blank to keep {cycle.submission_deadline:%-d %B %Y}. A date after the "
            "review deadline moves the review deadline to it."
        )

    def clean_submission_deadline(self):
        return not_in_the_past(
            self.cleaned_data["submission_deadline"],
            "The new submission deadline must be today or later",
        )


class ExtensionForm(NamedErrorsMixin, forms.Form):
    extended_until = until_field()
    reason = _reason(
        "Why are you giving an extension?",
        "The leads are emailed this reason and see it on the page. It is kept in the audit trail.",
        "Enter why the extension is being given",
    )

    def __init__(self, *args, who: str = "the leads", **kwargs):
        super().__init__(*args, **kwargs)
        _address(self, who)

    def clean_extended_until(self):
        return not_in_the_past(
            self.cleaned_data["extended_until"],
            "The date the leads have until must be today or later",
        )


class ReopenUpdateForm(NamedErrorsMixin, forms.Form):
    """Send an approved update back to its leads; in a closed cycle, with a date."""

    reason = _reason(
        "Why are you reopening it?",
        "The leads see this as the governance team's comments, at the top of the page and by "
        "email. It is kept in the audit trail.",
        "Enter why the approved update is being reopened",
    )
    extended_until = until_field()

    def __init__(self, *args, cycle_closed: bool, who: str = "the leads", **kwargs):
        super().__init__(*args, **kwargs)
        if not cycle_closed:
            del self.fields["extended_until"]
        _address(self, who)

    def clean_extended_until(self):
        return not_in_the_past(
            self.cleaned_data["extended_until"],
            "The date the leads have until must be today or later",
        )


class ReturnForm(NamedErrorsMixin, forms.Form):
    sections = forms.MultipleChoiceField(
        label="Which sections need changing? (optional)",
        help_text="The lead sees these marked on their update, with a link to each.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label="Comments for the lead",
        help_text="Say what needs to change before the update can be approved. The lead sees "
        "these at the top of their update and by email.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter comments for the lead explaining what to change"},
    )

    def __init__(self, *args, update, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = kind_of(update).section_choices(update)


class ClosedCycleReturnForm(ReturnForm):
    """Returning after the cycle closed: the lead could not resubmit without a date."""

    extended_until = until_field()

    def clean_extended_until(self):
        return not_in_the_past(
            self.cleaned_data["extended_until"],
            "The date the leads have until must be today or later",
        )


def return_form_for(update, data=None) -> ReturnForm:
    """The return form of a submitted update: with a date to resubmit by once the cycle is
    closed."""
    if update.cycle.is_closed:
        return ClosedCycleReturnForm(
            data, update=update, initial={"extended_until": default_until(update)}
        )
    return ReturnForm(data, update=update)


# --- one decision: approve, or return with comments (issue 14) --------------------------------

APPROVE, RETURN = "approve", "return"


class DecisionMixin:
    """A return form with a first question, approve or return, on top: the comments (and, in
    a closed cycle, the date) are asked for only when returning. The page shows them under
    the "Return" radio (NHS.UK conditional reveal); they stay required fields for that
    answer, so their labels never say "optional"."""

    # Set by the concrete form: the words of the radios and of the messages.
    approve_label = "Approve"
    return_label = "Return to the lead"
    noun = "update"
    approve_verb = "approve"

    def _add_decision(self) -> None:
        decision = forms.ChoiceField(
            label=f"Your decision on this {self.noun}",
            choices=[(APPROVE, self.approve_label), (RETURN, self.return_label)],
            widget=forms.RadioSelect,
            error_messages={
                "required": f"Select whether to {self.approve_verb} or return this {self.noun}"
            },
        )
        self.fields = {"decision": decision, **self.fields}
        self.fields["comment"].label = f"Why are you returning this {self.noun}?"
        self.fields["comment"].error_messages["required"] = (
            f"Enter why you are returning this {self.noun}"
        )
        if self.is_bound and self.data.get("decision") != RETURN:
            # Approving (or no answer yet): what only a return needs is not asked for.
            for name in ("comment", "extended_until", "sections"):
                if name in self.fields:
                    self.fields[name].required = False

    @property
    def returning(self) -> bool:
        return self.is_valid() and self.cleaned_data["decision"] == RETURN


class ReturnDecisionForm(DecisionMixin, ReturnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_decision()


class ClosedCycleReturnDecisionForm(DecisionMixin, ClosedCycleReturnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_decision()


def decision_form_for(update, data=None) -> ReturnForm:
    """Approve or return a submitted update, in one form (the return part as
    `return_form_for`)."""
    if update.cycle.is_closed:
        return ClosedCycleReturnDecisionForm(
            data, update=update, initial={"extended_until": default_until(update)}
        )
    return ReturnDecisionForm(data, update=update)
