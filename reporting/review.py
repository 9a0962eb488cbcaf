"""An update beside last quarter's approved one: the sections of text with a readable word
diff, and every status, milestone and linked-risk change. Used by governance's review page
and by the lead's "unchanged since last quarter" warning, so both agree on what a section is.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ics_portal.richtext import html_to_text
from ics_portal.status import WorkflowState
from ics_portal.workflow.history import latest_approved

from .models import GoldenThreadUpdate, MilestoneProgress, ObjectiveProgress, WorkstreamUpdate


def quarter_headings(cycle) -> tuple[str, str]:
    """ "Quarter 2 update", "Quarter 3 plans": the headings named from the cycle's real
    quarter (Quarter 4's plans are Quarter 1's of the next year)."""
    period = cycle.period
    return f"Quarter {period.number} update", f"Quarter {period.next().number} plans"


@dataclass(frozen=True)
class Section:
    """One piece of text a lead writes: its form field name, heading and stored HTML."""

    key: str
    label: str
    html: str
    rich: bool = True

    @property
    def text(self) -> str:
        return html_to_text(self.html) if self.rich else self.html.strip()


def text_sections(update) -> list[Section]:
    """The update's sections in the order of its form. Uses prefetched objective rows."""
    _, plans_heading = quarter_headings(update.cycle)
    if isinstance(update, WorkstreamUpdate):
        sections = [
            Section(
                f"objective_{row.objective_id}",
                f"Objective {row.objective.number}: {row.objective.text}",
                row.progress,
            )
            for row in update.objective_progress.all()
        ]
        return [
            *sections,
            Section("status_explanation", "Status explanation", update.status_explanation, False),
            Section("next_quarter_plans", plans_heading, update.next_quarter_plans),
            Section("key_risks", "Key risks and issues", update.key_risks),
        ]
    update_heading, _ = quarter_headings(update.cycle)
    return [
        Section("quarter_update", update_heading, update.quarter_update),
        Section("status_explanation", "Status explanation", update.status_explanation, False),
        Section("next_quarter_plans", plans_heading, update.next_quarter_plans),
        Section("key_risks", "Key risks", update.key_risks),
    ]


@dataclass(frozen=True)
class ReviewSection:
    """A part of the update form a reviewer can ask the lead to change when returning it: its
    key (stored in `returned_sections`), heading, the form fields it covers and the id of the
    field a link to it goes to."""

    key: str
    label: str
    fields: tuple[str, ...]
    anchor: str


def review_sections(update) -> list[ReviewSection]:
    """The sections of a workstream or golden-thread update, in the order of its form (none
    for other reviewed things, such as risk reviews). Uses prefetched objective and milestone
    rows."""
    update_heading, plans_heading = quarter_headings(update.cycle)
    if isinstance(update, WorkstreamUpdate):
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
                    tuple(f"{m}_{part}" for m in milestones for part in _MILESTONE_PARTS),
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
            ReviewSection("risks", "Key risks and issues", _RISK_FIELDS, "id_key_risks"),
        ]
    if isinstance(update, GoldenThreadUpdate):
        return [
            ReviewSection("update", update_heading, ("quarter_update",), "id_quarter_update"),
            ReviewSection("plans", plans_heading, ("next_quarter_plans",), "id_next_quarter_plans"),
            ReviewSection("risks", "Key risks", _RISK_FIELDS, "id_key_risks"),
        ]
    return []


_MILESTONE_PARTS = ("status", "revised_date", "note")
_RISK_FIELDS = ("key_risks", "baf_risks", "nothing_to_escalate")


def sections_to_change(update) -> list[ReviewSection]:
    """The sections the reviewer asked to change, while the update is returned."""
    if update.state != WorkflowState.RETURNED or not update.returned_sections:
        return []
    wanted = set(update.returned_sections)
    return [section for section in review_sections(update) if section.key in wanted]


def last_approved(update):
    """Last quarter's approved (or published) update of the same workstream or thread, with
    what the comparison reads prefetched, or None."""
    if isinstance(update, WorkstreamUpdate):
        subject, subject_id = "workstream", update.workstream_id
        prefetch = [
            Prefetch(
                "objective_progress",
                queryset=ObjectiveProgress.objects.select_related("objective"),
            ),
            Prefetch(
                "milestone_progress",
                queryset=MilestoneProgress.objects.select_related("milestone"),
            ),
            "baf_risks",
        ]
    else:
        subject, subject_id = "golden_thread", update.golden_thread_id
        prefetch = ["baf_risks", "objectives"]
    found = latest_approved(
        type(update),
        [(subject_id, update.cycle)],
        subject=subject,
        related=["approved_by"],
        prefetch=prefetch,
    )
    return found.get((subject_id, update.cycle_id))


def unchanged_sections(update, last) -> list[Section]:
    """Sections with text that is word-for-word last quarter's approved text: the lead is
    warned before submitting that they may be stale."""
    if last is None:
        return []
    before = {s.key: s.text for s in text_sections(last)}
    return [s for s in text_sections(update) if s.rich and s.text and before.get(s.key) == s.text]


# A word with the spaces before it: spaces alone never anchor a match, so a rewritten
# sentence reads as one deletion and one insertion rather than interleaved fragments.
_WORDS = re.compile(r"\s*\S+|\s+")
# Lines (paragraphs, list items, table rows) this similar are diffed word by word; less
# similar ones are shown as the old line removed and the new one added.
_SIMILAR_LINES = 0.5


def _words(line: str) -> str:
    return escape(line)


def _word_diff_line(old: str, new: str) -> str:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(_words("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{_words(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{_words(''.join(b[j1:j2]))}</ins>")
    return "".join(parts)


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _changed_lines(old_lines: list[str], new_lines: list[str]) -> list[str]:
    """A block of lines that differ: each old line is paired, in order, with the most alike
    new line (diffed word by word); the rest are shown removed or added."""
    out, j = [], 0
    for before in old_lines:
        best, best_ratio = None, _SIMILAR_LINES
        for k in range(j, len(new_lines)):
            ratio = _similar(before, new_lines[k])
            if ratio >= best_ratio:
                best, best_ratio = k, ratio
        if best is None:
            out.append(f"<del>{_words(before)}</del>")
            continue
        out += [f"<ins>{_words(line)}</ins>" for line in new_lines[j:best]]
        out.append(_word_diff_line(before, new_lines[best]))
        j = best + 1
    out += [f"<ins>{_words(line)}</ins>" for line in new_lines[j:]]
    return out


def word_diff(old: str, new: str) -> SafeString:
    """A readable diff of two plain texts as HTML, line by line (paragraphs, list items, table
    rows) and word by word within lines that are alike: removed text in <del>, added in <ins>,
    lines separated by <br>."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    lines = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [_words(line) for line in a[i1:i2]]
        else:
            lines += _changed_lines(a[i1:i2], b[j1:j2])
    return mark_safe("<br>".join(lines))


@dataclass
class TextChange:
    label: str
    before_html: str
    after_html: str
    rich: bool
    changed: bool
    diff: SafeString


@dataclass
class ValueChange:
    """A status or other single value, last quarter and now."""

    label: str
    before: str
    after: str
    is_status: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class MilestoneChange:
    title: str
    due: str
    critical_path: bool
    before_status: str
    after_status: str
    before_revised: date | None
    after_revised: date | None
    before_note: str
    after_note: str
    is_new: bool

    @property
    def changes(self) -> list[str]:
        """What changed, in words ("status", "revised date", "note")."""
        if self.is_new:
            return ["new this quarter"]
        words = []
        if self.before_status != self.after_status:
            words.append("status")
        if self.before_revised != self.after_revised:
            words.append("revised date")
        if self.before_note.strip() != self.after_note.strip():
            words.append("note")
        return words


@dataclass
class Comparison:
    last: object | None
    texts: list[TextChange]
    values: list[ValueChange]
    milestones: list[MilestoneChange] = field(default_factory=list)
    risks_added: list = field(default_factory=list)
    risks_removed: list = field(default_factory=list)
    objectives_added: list = field(default_factory=list)
    objectives_removed: list = field(default_factory=list)

    @property
    def changed_count(self) -> int:
        return (
            sum(t.changed for t in self.texts)
            + sum(v.changed for v in self.values)
            + sum(bool(m.changes) for m in self.milestones)
            + len(self.risks_added)
            + len(self.risks_removed)
            + len(self.objectives_added)
            + len(self.objectives_removed)
        )


def compare(update, last) -> Comparison:
    """Everything that differs between `update` and `last` (None when there is no approved
    update before it: every section then counts as new)."""
    before_sections = {s.key: s for s in text_sections(last)} if last else {}
    texts = []
    for section in text_sections(update):
        old = before_sections.get(section.key)
        old_text = old.text if old else ""
        texts.append(
            TextChange(
                label=section.label,
                before_html=old.html if old else "",
                after_html=section.html,
                rich=section.rich,
                changed=old_text != section.text,
                diff=word_diff(old_text, section.text),
            )
        )
    values = [
        ValueChange(
            "Overall status", last.overall_status if last else "", update.overall_status, True
        )
    ]
    if isinstance(update, WorkstreamUpdate):
        values.append(
            ValueChange(
                "Forecast status (next quarter)",
                last.forecast_status if last else "",
                update.forecast_status,
                True,
            )
        )
    values.append(
        ValueChange(
            "Nothing new to escalate",
            ("Yes" if last.nothing_to_escalate else "No") if last else "",
            "Yes" if update.nothing_to_escalate else "No",
        )
    )
    comparison = Comparison(last=last, texts=texts, values=values)
    before_risks = {r.pk: r for r in last.baf_risks.all()} if last else {}
    now_risks = {r.pk: r for r in update.baf_risks.all()}
    comparison.risks_added = [r for pk, r in now_risks.items() if pk not in before_risks]
    comparison.risks_removed = [r for pk, r in before_risks.items() if pk not in now_risks]
    if isinstance(update, WorkstreamUpdate):
        comparison.milestones = _milestone_changes(update, last)
    else:
        before = {o.pk: o for o in last.objectives.all()} if last else {}
        now = {o.pk: o for o in update.objectives.all()}
        comparison.objectives_added = [o for pk, o in now.items() if pk not in before]
        comparison.objectives_removed = [o for pk, o in before.items() if pk not in now]
    return comparison


def _milestone_changes(update, last) -> list[MilestoneChange]:
    before = {row.milestone_id: row for row in last.milestone_progress.all()} if last else {}
    rows = []
    for row in update.milestone_progress.all():
        old = before.get(row.milestone_id)
        milestone = row.milestone
        rows.append(
            MilestoneChange(
                title=milestone.title,
                due=milestone.due_label
                or (f"{milestone.due_date:%-d %B %Y}" if milestone.due_date else ""),
                critical_path=milestone.critical_path,
                before_status=old.status if old else "",
                after_status=row.status,
                before_revised=old.revised_date if old else None,
                after_revised=row.revised_date,
                before_note=old.note if old else "",
                after_note=row.note,
                is_new=old is None and last is not None,
            )
        )
    return rows
