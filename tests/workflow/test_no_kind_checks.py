"""No code asks which kind of reviewed item it has (issue 10, docs/adr/0010): each kind answers
for itself through `kind_of(item)` (ics_portal/workflow/kinds.py; the update kinds in
reporting/kinds.py, risk reviews in risks/kinds.py). A check on the kind, by class or by a
relation only one kind has, fails here with its file and line.
"""

import ast
from pathlib import Path

from django.conf import settings

from ics_portal.workflow.kinds import reviewed_models

BASE = Path(settings.BASE_DIR)
# The apps whose code must not ask (every layer of docs/adr/0009).
APPS = ("ics_portal", "workstreams", "risks", "reporting", "packs", "dataio")
# What only one kind reports on: asking whether an item has one is asking its kind.
SUBJECTS = {"workstream", "golden_thread", "risk"}


def _names(node) -> set[str]:
    """The class names in isinstance's second argument: `A`, `m.A`, `(A, B)`, `A | B`."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    if isinstance(node, ast.Tuple):
        return set().union(*(_names(element) for element in node.elts))
    if isinstance(node, ast.BinOp):
        return _names(node.left) | _names(node.right)
    return set()


_META_NAMES = {"label", "label_lower", "model_name", "object_name", "verbose_name"}


def _is_meta_name(node) -> bool:
    """`x._meta.label`, `x._meta.model_name`: a model's name."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr in _META_NAMES
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "_meta"
    )


def _asks_kind(node, models: set[str]) -> bool:
    if isinstance(node, ast.Call):
        name, args = getattr(node.func, "id", None), node.args
        if name in {"isinstance", "issubclass"} and len(args) == 2:
            return bool(_names(args[1]) & models)
        probes = (name == "hasattr" and len(args) == 2) or (name == "getattr" and len(args) == 3)
        return probes and isinstance(args[1], ast.Constant) and args[1].value in SUBJECTS
    if isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
        typed = any(
            isinstance(side, ast.Call) and getattr(side.func, "id", None) == "type"
            for side in sides
        )
        named = set().union(*map(_names, sides))
        return (typed and bool(named & models)) or any(map(_is_meta_name, sides))
    return False


def kind_checks(source: str, models: set[str]) -> list[tuple[int, str]]:
    """(line, code) of each check on the kind of a reviewed item in `source`: isinstance or
    issubclass with one of `models`, type(x) compared with one, hasattr (or getattr with a
    default) of a subject, and a model's _meta name compared with something."""
    return [
        (node.lineno, ast.unparse(node))
        for node in ast.walk(ast.parse(source))
        if _asks_kind(node, models)
    ]


def _app_modules():
    for app in APPS:
        for path in sorted((BASE / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_app_code_checks_which_kind_of_reviewed_item_it_has():
    models = {model.__name__ for model in reviewed_models()}
    assert {"WorkstreamUpdate", "GoldenThreadUpdate", "RiskReview"} <= models
    offenders = [
        f"{path.relative_to(BASE)}:{line} {code}"
        for path in _app_modules()
        for line, code in kind_checks(path.read_text(), models)
    ]
    assert offenders == [], (
        "ask kind_of(item) instead (give the kind a method or attribute: reporting/kinds.py)"
    )


def test_the_check_catches_each_way_of_asking():
    models = {"WorkstreamUpdate", "GoldenThreadUpdate", "RiskReview"}
    source = "\n".join(
        [
            "isinstance(update, WorkstreamUpdate)",
            "isinstance(update, models.GoldenThreadUpdate)",
            "isinstance(item, (RiskReview, str))",
            "isinstance(item, WorkstreamUpdate | GoldenThreadUpdate)",
            'hasattr(update, "workstream")',
            'getattr(update, "golden_thread", None)',
            "type(item) is RiskReview",
            'update._meta.label == "reporting.WorkstreamUpdate"',
            'item._meta.model_name in {"riskreview"}',
        ]
    )
    assert [line for line, _ in kind_checks(source, models)] == list(range(1, 10))


def test_the_check_leaves_other_questions_alone():
    models = {"WorkstreamUpdate"}
    source = "\n".join(
        [
            "isinstance(value, date)",
            "isinstance(item, type)",
            'getattr(update, "workstream")',
            'getattr(update, f"{kind.subject_field}_id")',
            'hasattr(media, "with_nonce")',
            "type(value) is int",
            "kind_of(update).slug == 'workstream'",
        ]
    )
    assert kind_checks(source, models) == []
