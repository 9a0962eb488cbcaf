"""An update beside last quarter's approved one: the sections of text with a readable word
diff, and every status, milestone and linked-risk change. Used by governance's review page
and by the lead's "unchanged since last quarter" warning, so both agree on what a section is.
Each kind of update lists its own sections and adds what only it has to the comparison
(reporting/kinds.py); nothing here asks which kind an update is.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ics_portal.richtext import html_to_text
from ics_portal.status import WorkflowState
from ics_portal.workflow.history import latest_approved
from ics_portal.workflow.kinds import kind_of


def quarter_headings(cycle) -> tuple[str, str]:
    """ "Update for Q2 2021/22", "Plans for Q3 2021/22": the headings named from the cycle's
    real quarter (Q4's plans are for Q1 of the next financial year)."""
    period = cycle.period
    return f"Update for {period.label}", f"Plans for {period.next().label}"


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
    """The update's sections in the order of its form, as its kind lists them
    (reporting/kinds.py). Uses prefetched objective rows."""
    return kind_of(update).text_sections(update)


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
    """The sections of a workstream or golden-thread update, in the order of its form, as its
    kind lists them (reporting/kinds.py). Uses prefetched objective and milestone rows."""
    return kind_of(update).review_sections(update)


def sections_to_change(update) -> list[ReviewSection]:
    """The sections the reviewer asked to change, while the update is returned."""
    if update.state != WorkflowState.RETURNED or not update.returned_sections:
        return []
    wanted = set(update.returned_sections)
    return [section for section in review_sections(update) if section.key in wanted]


def last_approved(update):
    """Last quarter's approved (or published) update of the same workstream or thread, with
    what the comparison reads (its kind's `compared_prefetch`), or None."""
    kind = kind_of(update)
    subject_id = kind.subject_id(update)
    found = latest_approved(
        type(update),
        [(subject_id, update.cycle)],
        subject=kind.subject_field,
        related=["approved_by"],
        prefetch=kind.compared_prefetch(),
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
    def text_changed(self) -> bool:
        return any(t.changed for t in self.texts)

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
    kind = kind_of(update)
    values = [
        ValueChange(label, getattr(last, name) if last else "", getattr(update, name), True)
        for name, label in kind.compared_statuses
    ]
    values.append(
        ValueChange(
            "Nothing new to escalate",
            ("Yes" if last.nothing_to_escalate else "No") if last else "",
            "Yes" if update.nothing_to_escalate else "No",
        )
    )
    comparison = Comparison(last=last, texts=texts, values=values)
    comparison.risks_added, comparison.risks_removed = added_and_removed(
        last.baf_risks.all() if last else [], update.baf_risks.all()
    )
    kind.compare_related(comparison, update, last)
    return comparison


def added_and_removed(before, now) -> tuple[list, list]:
    """The objects in `now` and not in `before` (in `now`'s order), and those in `before` and
    not in `now` (in its order): linked risks, objectives."""
    before, now = list(before), list(now)
    before_ids, now_ids = {o.pk for o in before}, {o.pk for o in now}
    return [o for o in now if o.pk not in before_ids], [o for o in before if o.pk not in now_ids]


def milestone_changes(update, last) -> list[MilestoneChange]:
    before = {row.milestone_id: row for row in last.milestone_progress.all()} if last else {}
    rows = []
    for row in update.milestone_progress.all():
        old = before.get(row.milestone_id)
        milestone = row.milestone
        rows.append(
            MilestoneChange(
                title=milestone.title,
                due=row.due_text,
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


# --- after a return: the version governance returned, and what changed since ----------------


@dataclass
class SinceReturn:
    """A resubmitted update's last return: who returned it, when, their comment and the
    sections they asked to change, and what changed since the version they returned."""

    returned_at: object
    returned_by: object | None
    comment: str
    sections: list[str]
    version: object  # the update as it stood when returned (an unsaved copy)
    comparison: Comparison


def _as_of(history_rows, key: str) -> list:
    """The rows as they stood at the end of `history_rows` (oldest first): each row's latest
    historical record, without those deleted by then."""
    latest = {}
    for row in history_rows:
        latest[getattr(row, key)] = row
    return [row for row in latest.values() if row.history_type != "-"]


def returned_version(update):
    """The update as it stood when governance last returned it, from its saved history
    (django-simple-history): its fields, rows and links as they were, on an unsaved copy the
    comparison reads like any update. None if it was never returned, or its history does not
    go back that far. Fixed queries: the record, each kind of row, each link."""
    if update.returned_at is None:
        return None
    model = type(update)
    record = (
        model.history.filter(id=update.pk, returned_at=update.returned_at)
        .filter(state=WorkflowState.RETURNED)
        .select_related("updated_by")
        .order_by("history_date", "history_id")
        .first()
    )
    if record is None:
        return None
    version = record.instance
    version.cycle = update.cycle
    cache = {}
    for rel in _rows_with_history(model):
        row_model, own, accessor = rel.related_model, rel.field.name, rel.get_accessor_name()
        refs = [f.name for f in row_model._meta.fields if f.is_relation and f.name != own]
        then = list(
            row_model.history.filter(**{f"{own}_id": update.pk})
            .filter(history_date__lte=record.history_date)
            .select_related(*refs)
            .order_by("history_date", "history_id")
        )
        kept = _as_of(then, "id")
        # A row with no history by then (pre-filled in bulk before rows kept history) is
        # taken as it is now: the best that can be known of it.
        known = {r.id for r in then}
        kept += [r for r in getattr(update, accessor).all() if r.pk not in known]
        cache[accessor] = sorted(kept, key=_ordering_key(row_model, own))
    for link_field in model._meta.many_to_many:
        target = link_field.m2m_reverse_field_name()
        links = getattr(record, link_field.name).select_related(target)
        cache[link_field.name] = [getattr(link, target) for link in links]
    version._prefetched_objects_cache = cache
    version.returned_by = record.updated_by
    return version


def _rows_with_history(model) -> list:
    """The update's own rows that keep history (objective progress, milestone rows)."""
    return [
        rel
        for rel in model._meta.related_objects
        if rel.one_to_many and hasattr(rel.related_model, "history")
    ]


def _ordering_key(row_model, own: str):
    """Sort rows as their model's Meta.ordering does (after the update itself)."""
    paths = [term.split("__") for term in row_model._meta.ordering if term != own]

    def key(row):
        values = []
        for path in paths:
            value = row
            for part in path:
                value = getattr(value, part, None)
            values.append((value is None, value if value is not None else 0))
        return values

    return key


def since_return(update) -> SinceReturn | None:
    """What the review page shows of a submitted update that was returned before: the return
    and what changed since (None if it was never returned)."""
    if update.state != WorkflowState.SUBMITTED:
        return None
    version = returned_version(update)
    if version is None:
        return None
    labels = {s.key: s.label for s in review_sections(update)}
    return SinceReturn(
        returned_at=version.returned_at,
        returned_by=version.returned_by,
        comment=version.review_comment,
        sections=[labels.get(key, key) for key in version.returned_sections or []],
        version=version,
        comparison=compare(update, version),
    )
