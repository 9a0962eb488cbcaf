"""Section-level merge of a reviewed item's edits (ADR 0005).

An item is edited in sections: each plain field of its kind, and its kind's related sections
(for an update: each objective's progress, each milestone row, the linked risks and
objectives). A section's key is the name of its form field
(a milestone row's three fields share the key `milestone_<id>`).

The edit form carries, for every section, a fingerprint of the value it showed when it was
drawn: the section's *base*. A save writes only the sections the person changed from their
base. A section that someone else also changed since that base, to something else, is a
conflict: it is not written, and the person is shown both texts for that section alone and
chooses. Sections the person did not touch are never written, so a stale tab cannot put old
text back.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ics_portal.richtext import sanitise_html

from .kinds import kind_of

MINE, THEIRS = "mine", "theirs"


def canonical(value: Any) -> Any:
    """The value as the merge compares it: rich text cleaned as every save cleans it, white
    space and line endings folded, dates as ISO text, sets of linked things sorted."""
    if value is None:
        return ""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").strip()
        if text.startswith("<"):
            text = sanitise_html(text)
        return re.sub(r"\s+", " ", text)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(getattr(item, "pk", item) for item in value)
    return str(value)


def fingerprint(value: Any) -> str:
    """A short fingerprint of a section's value: equal values have equal fingerprints."""
    text = json.dumps(canonical(value), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def stored_sections(item, keys=None) -> dict[str, Any]:
    """The stored value of each section of `item` (all of them, or those in `keys`): its
    kind's plain fields, then its related sections (read from prefetched rows where it has
    them)."""
    kind = kind_of(item)
    sections: dict[str, Any] = {name: getattr(item, name) for name in kind.fields}
    sections.update(kind.stored_related(item))
    if keys is not None:
        sections = {key: value for key, value in sections.items() if key in keys}
    return sections


def bases_for(update) -> dict[str, str]:
    """The bases of a freshly drawn form: every section's stored fingerprint."""
    return {key: fingerprint(value) for key, value in stored_sections(update).items()}


@dataclass(frozen=True)
class Conflict:
    """A section changed by the saver and, differently, by someone else since the saver's
    base."""

    key: str
    theirs: Any  # the stored value, as stored
    theirs_fingerprint: str
    by_name: str
    by_you: bool
    at: str  # ISO time of their change, "" when not known


@dataclass
class Plan:
    """What a save will do, section by section."""

    write: dict[str, Any] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    # Sections the saver did not touch that someone else changed since the saver's base.
    changed_elsewhere: list[Conflict] = field(default_factory=list)
    # What the saver's form shows after this save, by section: its next bases.
    bases: dict[str, str] = field(default_factory=dict)


def plan_save(
    *,
    posted: dict[str, Any],
    stored: dict[str, Any],
    bases: dict[str, str],
    resolutions: dict[str, tuple[str, str]] | None = None,
    edits: dict[str, dict[str, Any]] | None = None,
    fallback_by=None,
    by=None,
) -> Plan:
    """Three-way merge of each posted section against its base and the stored value.

    `resolutions` maps a section key to the person's choice after a conflict ("mine" or
    "theirs") and the fingerprint of the stored text they were shown; the choice counts only
    while the stored text is still that one. `edits` is the update's record of who last
    changed each section (WorkflowFields.section_edits).
    """
    resolutions = resolutions or {}
    edits = edits or {}
    plan = Plan()
    for key, value in posted.items():
        # A row the update does not have yet (an objective added since) is stored as empty.
        stored.setdefault(key, None)
        mine, theirs = fingerprint(value), fingerprint(stored[key])
        base = bases.get(key)
        choice, seen = resolutions.get(key, (None, None))
        if choice and seen == theirs:
            if choice == MINE and mine != theirs:
                plan.write[key] = value
            plan.bases[key] = mine if choice == MINE else theirs
            continue
        if base is None:
            # A section the form did not know (added since it was drawn): the saver's value
            # counts only where it is not empty.
            if mine != theirs and canonical(value) not in ("", [], False):
                plan.write[key] = value
            plan.bases[key] = mine
            continue
        saver_changed, other_changed = mine != base, theirs != base
        if not saver_changed:
            plan.bases[key] = base
            if other_changed:
                plan.changed_elsewhere.append(
                    _conflict(key, stored, theirs, edits, fallback_by, by)
                )
        elif not other_changed:
            plan.write[key] = value
            plan.bases[key] = mine
        elif mine == theirs:
            plan.bases[key] = mine  # both made the same change
        else:
            plan.bases[key] = base
            plan.conflicts.append(_conflict(key, stored, theirs, edits, fallback_by, by))
    return plan


def _conflict(key, stored, theirs, edits, fallback_by, by) -> Conflict:
    edit = edits.get(key) or {}
    by_pk = edit.get("by", getattr(fallback_by, "pk", None))
    name = edit.get("name") or (
        getattr(fallback_by, "full_name", "") if fallback_by is not None else ""
    )
    return Conflict(
        key=key,
        theirs=stored[key],
        theirs_fingerprint=theirs,
        by_name=name or "someone else",
        by_you=by is not None and by_pk == getattr(by, "pk", object()),
        at=edit.get("at", ""),
    )


def parse_bases(raw: str | None) -> dict[str, str] | None:
    """The bases a form posted (JSON object of key -> fingerprint), or None when missing or
    not well formed (the save then falls back to the whole update's version)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or len(data) > 2000:
        return None
    if not all(isinstance(k, str) and isinstance(v, str) and len(v) <= 64 for k, v in data.items()):
        return None
    return data


def parse_resolutions(post) -> dict[str, tuple[str, str]]:
    """The person's choices on a conflict page: resolve__<key> = mine|theirs, with the
    fingerprint of the text they were shown in seen__<key>."""
    choices = {}
    for name, choice in post.items():
        if not name.startswith("resolve__") or choice not in (MINE, THEIRS):
            continue
        key = name.removeprefix("resolve__")
        seen = post.get(f"seen__{key}", "")
        if seen:
            choices[key] = (choice, seen)
    return choices
