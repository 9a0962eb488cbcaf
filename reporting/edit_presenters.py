"""Read models of the update form's section merge (ics_portal/workflow/merge.py): the panel
shown for each section in conflict, the sentences the autosave status says, what the person
typed when a save was refused, and why an update can no longer be edited."""

from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow.merge import Conflict
from ics_portal.workflow.states import closed_window_message, leads_window_open

from .forms import RichTextFormField
from .kinds import MILESTONE_PARTS

_STATUS_LABELS = dict(DeliveryStatus.choices)


def section_labels(form) -> dict[str, str]:
    """Each section key of the update form with the words the page uses for it."""
    labels = {name: str(field.label) for name, field in form.fields.items()}
    for milestone, prefix in getattr(form, "milestone_rows", ()):
        labels[prefix] = f"Milestone: {milestone.title}"
    for name in getattr(form, "objective_names", ()):
        labels[name] = str(form.fields[name].label).split(":")[0]
    return labels


def _when(at: str) -> str:
    moment = parse_datetime(at) if at else None
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"at {local:%H:%M}"
    return f"on {local:%-d %B %Y} at {local:%H:%M}"


def _who(conflict: Conflict) -> str:
    return "you, in another tab" if conflict.by_you else conflict.by_name


def conflict_sentence(conflict: Conflict, labels: dict[str, str]) -> str:
    """ "Objective 1 was also changed by Gus Governance at 14:03"."""
    label = labels.get(conflict.key, conflict.key)
    when = _when(conflict.at)
    return f"{label} was also changed by {_who(conflict)}{' ' + when if when else ''}"


@dataclass(frozen=True)
class ConflictPanel:
    """One section in conflict, as the edit page shows it: the stored text beside the
    person's own, and the choice between them."""

    key: str
    label: str
    field_name: str  # the form field the error summary links to
    sentence: str
    who: str
    theirs_rich: str  # rich text to render, or ""
    theirs_text: str  # plain words, when not rich text
    fingerprint: str


def _plain(form, key: str, value) -> str:
    field = form.fields.get(key)
    if key.startswith("milestone_") and isinstance(value, dict):
        parts = []
        for part in MILESTONE_PARTS:
            shown = _plain(form, f"{key}_{part}", value.get(part))
            parts.append(f"{part.replace('_', ' ').capitalize()}: {shown}")
        return "; ".join(parts)
    if value in (None, "", []):
        if isinstance(field, forms.ChoiceField):
            return "Nothing chosen"
        return "Not given" if isinstance(field, forms.DateField) else "Nothing written"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date | datetime):
        return f"{value:%-d %B %Y}"
    if isinstance(value, list) and field is not None:
        choices = dict(field.choices)
        return "; ".join(str(choices.get(pk, pk)) for pk in value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, _STATUS_LABELS.get(value, value)))
    return str(value)


def conflict_panels(form, conflicts) -> list[ConflictPanel]:
    labels = section_labels(form)
    panels = []
    for conflict in conflicts:
        key = conflict.key
        field = form.fields.get(key)
        rich = (
            field is not None
            and isinstance(field, RichTextFormField)
            and isinstance(conflict.theirs, str)
        )
        field_name = f"{key}_status" if key.startswith("milestone_") else key
        panels.append(
            ConflictPanel(
                key=key,
                label=labels.get(key, key),
                field_name=field_name,
                sentence=conflict_sentence(conflict, labels),
                who=_who(conflict),
                theirs_rich=conflict.theirs if rich else "",
                theirs_text="" if rich else _plain(form, key, conflict.theirs),
                fingerprint=conflict.theirs_fingerprint,
            )
        )
    return panels


@dataclass(frozen=True)
class TypedSection:
    label: str
    text: str
    rich: bool


def typed_sections(form, update, bases: dict[str, str] | None) -> list[TypedSection]:
    """What the person changed on their form (from its `bases`, or else from the update as
    stored), section by section, so a refused save can give it back to copy."""
    from ics_portal.workflow.merge import fingerprint, stored_sections

    from .kinds import posted_sections

    posted = posted_sections(**form.action_kwargs())
    if bases is None:
        bases = {key: fingerprint(value) for key, value in stored_sections(update).items()}
    labels = section_labels(form)
    typed = []
    for key, value in posted.items():
        if fingerprint(value) == bases.get(key):
            continue
        field = form.fields.get(key)
        rich = field is not None and isinstance(field, RichTextFormField) and isinstance(value, str)
        typed.append(
            TypedSection(
                label=labels.get(key, key),
                text=value if rich else _plain(form, key, value),
                rich=rich,
            )
        )
    return typed


def _at(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%-d %B %Y} at {local:%H:%M}"


def why_not_editable(update) -> str:
    """Why nobody can change this update here now, naming who moved it on and when."""
    state = update.state
    if state == WorkflowState.SUBMITTED and update.submitted_at:
        who = update.submitted_by.full_name if update.submitted_by else "a lead"
        return f"{who} submitted this update on {_at(update.submitted_at)}, so it can no longer be changed here."
    if state in (WorkflowState.APPROVED, WorkflowState.PUBLISHED) and update.approved_at:
        who = update.approved_by.full_name if update.approved_by else "the governance team"
        verb = "approved" if state == WorkflowState.APPROVED else "approved and published"
        return f"{who} {verb} this update on {_at(update.approved_at)}, so it can no longer be changed."
    if not leads_window_open(update):
        return closed_window_message(update)
    return f"This update is {update.state_label.lower()} and cannot be changed by you now."
