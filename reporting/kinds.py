"""Workstream updates and golden-thread updates as kinds of reviewed item (ADR 0010): what
the workflow asks of them (ics_portal/workflow/kinds.py), and what the update pages, the
cycle's rows, the review page's comparison, the edit form and the updates spreadsheet ask of
them. Each of those calls kind_of(update) and never checks which kind it has
(tests/workflow/test_no_kind_checks.py). Registered in reporting/apps.py."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse

from ics_portal.richtext import html_to_text, sanitise_html
from ics_portal.status import NEEDS_EXPLANATION, DeliveryStatus
from ics_portal.workflow.errors import ActionError
from ics_portal.workflow.kinds import ReviewedKind
from risks.models import BAFRisk
from workstreams.models import Objective

from .check import CheckRow, needs_revision
from .forms import GoldenThreadUpdateForm, UpdateForm, WorkstreamUpdateForm
from .models import MilestoneProgress, ObjectiveProgress
from .review import (
    ReviewSection,
    Section,
    added_and_removed,
    milestone_changes,
    quarter_headings,
    sections_to_change,
)

# The parts of a milestone row, which share one section key (`milestone_<id>`).
MILESTONE_PARTS = ("status", "revised_date", "note")
# The fields of the "key risks" section a reviewer can return.
RISK_FIELDS = ("key_risks", "baf_risks", "nothing_to_escalate")

# What a lead (or governance) writes in each kind of update, in form order. The forms, the
# admin and imports pass these to save_update; the workflow fields are never among them.
WORKSTREAM_UPDATE_FIELDS = (
    "overall_status",
    "forecast_status",
    "status_explanation",
    "next_quarter_plans",
    "key_risks",
    "nothing_to_escalate",
    "date_of_update",
)
GOLDEN_THREAD_UPDATE_FIELDS = (
    "overall_status",
    "status_explanation",
    "quarter_update",
    "next_quarter_plans",
    "key_risks",
    "nothing_to_escalate",
)


def posted_sections(
    *,
    fields: dict[str, Any],
    objective_progress: dict[int, str] | None = None,
    milestone_rows: dict[int, dict[str, Any]] | None = None,
    baf_risks=None,
    objectives=None,
) -> dict[str, Any]:
    """What a save would write, by section key (the arguments of actions.save_update)."""
    sections = dict(fields)
    for objective_id, html in (objective_progress or {}).items():
        sections[f"objective_{objective_id}"] = html
    for milestone_id, row in (milestone_rows or {}).items():
        # A caller may pass only some parts of a row (an import's status); the rest is kept.
        sections[f"milestone_{milestone_id}"] = {
            part: row[part] for part in MILESTONE_PARTS if part in row
        }
    if baf_risks is not None:
        sections["baf_risks"] = [getattr(r, "pk", r) for r in baf_risks]
    if objectives is not None:
        sections["objectives"] = [getattr(o, "pk", o) for o in objectives]
    return sections


def _key_risks_given(update) -> bool:
    return bool(
        html_to_text(update.key_risks) or update.baf_risks.exists() or update.nothing_to_escalate
    )


def _status_explained(update, errors: dict[str, str]) -> None:
    if update.overall_status in NEEDS_EXPLANATION and not update.status_explanation.strip():
        label = DeliveryStatus(update.overall_status).label
        errors["status_explanation"] = f"Explain why the status is {label}"


class _UpdateKind(ReviewedKind):
    """What both kinds of update share: linked BAF risks as a section, and the review page's
    sections as the ones a reviewer can return. Beyond the workflow's protocol, each kind
    says what it reports on and who writes it (the update pages, the cycle's rows), its
    sections and what the comparison with last quarter shows (reporting/review.py), so that
    no page asks which kind of update it has."""

    slug = ""  # the kind in the update pages' addresses
    label = ""  # the kind in the exports' and imports' Type column
    plural = ""  # in messages about the kind: "golden-thread updates do not have this"
    subject_field = ""  # its foreign key to what it reports on, one update a cycle each
    # The statuses the comparison with last quarter shows: (field, label).
    compared_statuses: tuple[tuple[str, str], ...] = (("overall_status", "Overall status"),)

    # --- what it reports on, and who writes it (prefetched by the pages' querysets) ---------

    def name(self, update) -> str:
        """The workstream's or thread's name, as rows and emails list it."""
        raise NotImplementedError

    def title(self, update) -> str:
        """The heading of its pages and its name in lists and emails, saying which kind it is:
        "Workstream: WORKFORCE", "Golden thread: Workforce" (the models' `label`)."""
        return getattr(update, self.subject_field).label

    def group(self, update) -> str:
        """What it is listed under: its workstream's theme, or the golden threads."""
        raise NotImplementedError

    def code(self, update) -> str:
        """What a spreadsheet names its subject by: the workstream's code, the thread's
        number."""
        raise NotImplementedError

    def leads(self, update) -> list:
        raise NotImplementedError

    def deputies(self, update) -> list:
        return []

    def lead_ids(self, item) -> set[int]:
        return {u.pk for u in self.leads(item)} | {u.pk for u in self.deputies(item)}

    def subject_id(self, update) -> int:
        return getattr(update, f"{self.subject_field}_id")

    # --- its sections, and the comparison with last quarter (reporting/review.py) -----------

    def text_sections(self, update) -> list[Section]:
        """The text its leads write, in the order of its form (prefetched rows)."""
        raise NotImplementedError

    def review_sections(self, update) -> list[ReviewSection]:
        """The parts of its form a reviewer can return, in form order (prefetched rows)."""
        raise NotImplementedError

    def compared_prefetch(self) -> list:
        """What the comparison reads of last quarter's update, to prefetch."""
        return ["baf_risks"]

    def compare_related(self, comparison, update, last) -> None:
        """Add what changed beyond the text and statuses to `comparison` (review.compare)."""

    def edit_form(self, update, data=None) -> UpdateForm:
        """Its edit form (forms.form_for), its choices read in fixed queries."""
        raise NotImplementedError

    def milestone_rows(self, update) -> list:
        """Its key-milestone rows (prefetched); none for a kind without milestones."""
        return []

    def check_rows(self, update) -> list[CheckRow]:
        """Its sections as the check page lists them before submitting (reporting/check.py),
        in form order, each with the anchor of its Change link on the form."""
        raise NotImplementedError

    # --- the workflow's protocol -----------------------------------------------------------

    def action_url(self, item, action: str) -> str:
        return reverse(f"reporting:update_{action}", kwargs={"kind": self.slug, "pk": item.pk})

    def queue_title(self, item) -> str:
        return self.title(item)

    def review_url(self, item) -> str:
        return self.action_url(item, "review")

    def section_choices(self, item) -> list[tuple[str, str]]:
        return [(section.key, section.label) for section in self.review_sections(item)]

    def sections_to_change(self, item) -> list:
        return sections_to_change(item)

    def stored_related(self, item) -> dict[str, Any]:
        return {"baf_risks": [r.pk for r in item.baf_risks.all()]}

    def write_related(self, item, sections: dict[str, Any]) -> list[str]:
        if "baf_risks" in sections:
            item.baf_risks.set(sections["baf_risks"])
            return ["baf_risks"]
        return []


class WorkstreamUpdateKind(_UpdateKind):
    queue_label = "Workstream update"
    slug = "workstream"
    label = "Workstream"
    plural = "workstream updates"
    subject_field = "workstream"
    fields = WORKSTREAM_UPDATE_FIELDS
    compared_statuses = (
        *_UpdateKind.compared_statuses,
        ("forecast_status", "Forecast status (next quarter)"),
    )

    def name(self, update) -> str:
        return update.workstream.name

    def group(self, update) -> str:
        return update.workstream.theme.name

    def code(self, update) -> str:
        return update.workstream.code

    def leads(self, update) -> list:
        return list(update.workstream.leads.all())

    def deputies(self, update) -> list:
        return list(update.workstream.deputies.all())

    def text_sections(self, update) -> list[Section]:
        """Progress on each objective, then the status explanation, plans and key risks."""
        _, plans_heading = quarter_headings(update.cycle)
        objectives = [
            Section(
                f"objective_{row.objective_id}",
                f"Objective {row.objective.number}: {row.objective.text}",
                row.progress,
            )
            for row in update.objective_progress.all()
        ]
        return [
            *objectives,
            Section("status_explanation", "Status explanation", update.status_explanation, False),
            Section("next_quarter_plans", plans_heading, update.next_quarter_plans),
            Section("key_risks", "Key risks and issues", update.key_risks),
        ]

    def review_sections(self, update) -> list[ReviewSection]:
        """Each objective, the milestone rows together, the statuses, plans and key risks."""
        _, plans_heading = quarter_headings(update.cycle)
        sections = [
            ReviewSection(
                f"objective-{row.objective.number}",
                f"Objective {row.objective.number}: {row.objective.text}",
                (f"objective_{row.objective_id}",),
                f"id_objective_{row.objective_id}",
            )
            for row in update.objective_progress.all()
        ]
        milestones = [f"milestone_{row.milestone_id}" for row in update.milestone_progress.all()]
        if milestones:
            sections.append(
                ReviewSection(
                    "milestones",
                    "Key milestones and critical path",
                    tuple(f"{m}_{part}" for m in milestones for part in MILESTONE_PARTS),
                    f"id_{milestones[0]}_status",
                )
            )
        return [
            *sections,
            ReviewSection(
                "status",
                "Status",
                ("overall_status", "forecast_status", "status_explanation"),
                "id_overall_status_0",
            ),
            ReviewSection("plans", plans_heading, ("next_quarter_plans",), "id_next_quarter_plans"),
            ReviewSection("risks", "Key risks and issues", RISK_FIELDS, "id_key_risks"),
        ]

    def milestone_rows(self, update) -> list:
        return list(update.milestone_progress.all())

    def check_rows(self, update) -> list[CheckRow]:
        """Each objective, the milestones, the statuses, plans, key risks and the date."""
        _, plans_heading = quarter_headings(update.cycle)
        rows = [
            CheckRow(
                f"objective-{row.objective.number}",
                f"Objective {row.objective.number}: {row.objective.text}",
                f"id_objective_{row.objective_id}",
                (f"objective_{row.objective_id}",),
                html=_written(row.progress),
            )
            for row in update.objective_progress.all()
        ]
        milestones = self.milestone_rows(update)
        if milestones:
            rows.append(
                CheckRow(
                    "milestones",
                    "Key milestones and critical path",
                    "section-milestones",
                    tuple(f"milestone_{row.milestone_id}" for row in milestones),
                    milestones=milestones,
                )
            )
        return [
            *rows,
            _status_row(update, self.compared_statuses),
            _plans_row(update, plans_heading),
            _risks_row(update, "Key risks and issues", "Nothing new to escalate"),
            CheckRow(
                "date",
                "Date of update",
                "section-date",
                ("date_of_update",),
                lines=[f"{update.date_of_update:%-d %B %Y}"] if update.date_of_update else [],
                empty="Not given",
            ),
        ]

    def compared_prefetch(self) -> list:
        return [
            Prefetch(
                "objective_progress",
                queryset=ObjectiveProgress.objects.select_related("objective"),
            ),
            Prefetch(
                "milestone_progress",
                queryset=MilestoneProgress.objects.select_related("milestone"),
            ),
            *super().compared_prefetch(),
        ]

    def compare_related(self, comparison, update, last) -> None:
        """Each milestone row beside last quarter's."""
        comparison.milestones = milestone_changes(update, last)

    def edit_form(self, update, data=None) -> UpdateForm:
        """The BAF risks to choose from are the workstream's."""
        return WorkstreamUpdateForm(
            data, update=update, workstream_risks=update.workstream.baf_risks.all()
        )

    def submission_errors(self, update) -> dict[str, str]:
        """A status and a forecast, an explanation for At risk or Delayed, key risks or
        "nothing new to escalate", and a revised date or a reason for a milestone past its
        date and not complete."""
        errors: dict[str, str] = {}
        if not update.overall_status:
            errors["overall_status"] = "Select the overall status"
        if not update.forecast_status:
            errors["forecast_status"] = "Select the forecast status for next quarter"
        _status_explained(update, errors)
        if not _key_risks_given(update):
            errors["key_risks"] = (
                "Describe the key risks and issues, link a BAF risk, or choose "
                '"nothing new to escalate"'
            )
        period_end = update.cycle.period.end
        # Due dates are the workstream's own (a shared milestone may be due earlier in one).
        prefetch_related_objects([update], "workstream__milestone_links")
        for row in update.milestone_progress.select_related("milestone"):
            due = row.due_date
            if needs_revision(row, period_end):
                errors[f"milestone_{row.milestone_id}"] = (
                    f'"{row.milestone.title}" was due ({row.due_text}) and is not complete: '
                    "give a revised date or a reason"
                    if row.due_text != f"{due:%-d %B %Y}"
                    else f'"{row.milestone.title}" was due by {due:%-d %B %Y} and is not '
                    "complete: give a revised date or a reason"
                )
        return errors

    def stored_related(self, item) -> dict[str, Any]:
        sections: dict[str, Any] = {}
        for row in item.objective_progress.all():
            sections[f"objective_{row.objective_id}"] = row.progress
        for row in item.milestone_progress.all():
            sections[f"milestone_{row.milestone_id}"] = {
                "status": row.status,
                "revised_date": row.revised_date,
                "note": row.note,
            }
        return sections | super().stored_related(item)

    def check_related(self, sections: dict[str, Any]) -> None:
        """A milestone row's values meet the model's validators (a date in the portal's range)."""
        for key, values in sections.items():
            if key.startswith("milestone_"):
                for name, value in values.items():
                    try:
                        MilestoneProgress._meta.get_field(name).run_validators(value)
                    except ValidationError as error:
                        raise ActionError("; ".join(error.messages)) from None

    def write_related(self, item, sections: dict[str, Any]) -> list[str]:
        progress = {
            int(key.removeprefix("objective_")): value
            for key, value in sections.items()
            if key.startswith("objective_")
        }
        rows = {
            int(key.removeprefix("milestone_")): value
            for key, value in sections.items()
            if key.startswith("milestone_")
        }
        changed = []
        if progress:
            changed += _save_objective_progress(item, progress)
        if rows:
            changed += _save_milestone_rows(item, rows)
        return changed + super().write_related(item, sections)


class GoldenThreadUpdateKind(_UpdateKind):
    queue_label = "Golden-thread update"
    slug = "thread"
    label = "Golden thread"
    plural = "golden-thread updates"
    subject_field = "golden_thread"
    fields = GOLDEN_THREAD_UPDATE_FIELDS

    def name(self, update) -> str:
        return str(update.golden_thread)

    def group(self, update) -> str:
        return "Golden threads"

    def code(self, update) -> str:
        return str(update.golden_thread.number)

    def leads(self, update) -> list:
        """Its system leads; a thread has no deputies."""
        return list(update.golden_thread.system_leads.all())

    def text_sections(self, update) -> list[Section]:
        """The quarter's update, then the status explanation, plans and key risks."""
        update_heading, plans_heading = quarter_headings(update.cycle)
        return [
            Section("quarter_update", update_heading, update.quarter_update),
            Section("status_explanation", "Status explanation", update.status_explanation, False),
            Section("next_quarter_plans", plans_heading, update.next_quarter_plans),
            Section("key_risks", "Key risks", update.key_risks),
        ]

    def review_sections(self, update) -> list[ReviewSection]:
        update_heading, plans_heading = quarter_headings(update.cycle)
        return [
            ReviewSection("update", update_heading, ("quarter_update",), "id_quarter_update"),
            ReviewSection("plans", plans_heading, ("next_quarter_plans",), "id_next_quarter_plans"),
            ReviewSection("risks", "Key risks", RISK_FIELDS, "id_key_risks"),
        ]

    def check_rows(self, update) -> list[CheckRow]:
        """The status, the quarter's update, plans, key risks and linked objectives."""
        update_heading, plans_heading = quarter_headings(update.cycle)
        return [
            _status_row(update, self.compared_statuses),
            CheckRow(
                "update",
                update_heading,
                "section-update",
                ("quarter_update",),
                html=_written(update.quarter_update),
            ),
            _plans_row(update, plans_heading),
            _risks_row(update, "Key risks", "No additional risks for escalation"),
            CheckRow(
                "objectives",
                "Linked objectives",
                "section-objectives",
                ("objectives",),
                lines=[
                    f"{o.workstream.code} {o.number}: {o.text}" for o in update.objectives.all()
                ],
                empty="None linked",
            ),
        ]

    def compared_prefetch(self) -> list:
        return [*super().compared_prefetch(), "objectives"]

    def compare_related(self, comparison, update, last) -> None:
        """The objectives it reports against, added and removed since last quarter."""
        comparison.objectives_added, comparison.objectives_removed = added_and_removed(
            last.objectives.all() if last else [], update.objectives.all()
        )

    def edit_form(self, update, data=None) -> UpdateForm:
        """Any open BAF risk, and the active objectives of the thread's workstreams."""
        return GoldenThreadUpdateForm(
            data,
            update=update,
            all_risks=BAFRisk.objects.filter(status=BAFRisk.Status.OPEN),
            thread_objectives=Objective.objects.filter(
                workstream__golden_threads=update.golden_thread, active=True
            ).select_related("workstream"),
        )

    def submission_errors(self, update) -> dict[str, str]:
        """The quarter's update, an explanation for At risk or Delayed, and key risks or "no
        additional risks for escalation"."""
        errors: dict[str, str] = {}
        if not html_to_text(update.quarter_update):
            errors["quarter_update"] = f"Enter the update for {update.cycle.period.label}"
        _status_explained(update, errors)
        if not _key_risks_given(update):
            errors["key_risks"] = (
                'Describe the key risks, link a BAF risk, or choose "no additional risks for '
                'escalation"'
            )
        return errors

    def stored_related(self, item) -> dict[str, Any]:
        return super().stored_related(item) | {"objectives": [o.pk for o in item.objectives.all()]}

    def write_related(self, item, sections: dict[str, Any]) -> list[str]:
        changed = []
        if "objectives" in sections:
            item.objectives.set(sections["objectives"])
            changed.append("objectives")
        return changed + super().write_related(item, sections)


def _written(html: str) -> str:
    """Rich text to show, or "" when it has no words."""
    return html if html_to_text(html) else ""


def _status_row(update, statuses) -> CheckRow:
    explanation = update.status_explanation.strip()
    return CheckRow(
        "status",
        "Status",
        "section-status",
        (*(name for name, _ in statuses), "status_explanation"),
        statuses=[(label, getattr(update, name)) for name, label in statuses],
        lines=[f"Explanation: {explanation}"] if explanation else [],
    )


def _plans_row(update, heading: str) -> CheckRow:
    """The check page's row for next quarter's plans (both kinds of update have one)."""
    return CheckRow(
        "plans",
        heading,
        "section-plans",
        ("next_quarter_plans",),
        html=_written(update.next_quarter_plans),
    )


def _risks_row(update, label: str, nothing_label: str) -> CheckRow:
    linked = [f"Linked BAF risk {r.reference}: {r.title}" for r in update.baf_risks.all()]
    return CheckRow(
        "risks",
        label,
        "section-risks",
        RISK_FIELDS,
        html=_written(update.key_risks),
        lines=[*linked, *([nothing_label] if update.nothing_to_escalate else [])],
    )


def _save_objective_progress(update, progress: dict[int, str]) -> list[str]:
    changed = []
    rows = {row.objective_id: row for row in update.objective_progress.all()}
    for objective_id, html in progress.items():
        row = rows.get(objective_id)
        clean = sanitise_html(html)
        if row is None:
            ObjectiveProgress.objects.create(
                update=update, objective_id=objective_id, progress=clean
            )
            changed.append(f"objective:{objective_id}")
        elif row.progress != clean:
            row.progress = clean
            row.save(update_fields=["progress"])
            changed.append(f"objective:{objective_id}")
    return changed


def _save_milestone_rows(update, rows_in: dict[int, dict[str, Any]]) -> list[str]:
    changed = []
    rows = {row.milestone_id: row for row in update.milestone_progress.all()}
    for milestone_id, values in rows_in.items():
        row = rows.get(milestone_id) or MilestoneProgress(update=update, milestone_id=milestone_id)
        dirty = row.pk is None
        for name in ("status", "revised_date", "note"):
            if name in values and getattr(row, name) != values[name]:
                setattr(row, name, values[name])
                dirty = True
        if dirty:
            row.save()
            changed.append(f"milestone:{milestone_id}")
    return changed
