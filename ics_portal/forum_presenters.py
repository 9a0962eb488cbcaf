"""The governance structure page (issue 16): every forum under the one it reports to, as a
nested list (what a screen reader and a phone read) and as a drawn tree. Two queries whatever
the number of forums: the forums with their chairs, and their aliases."""

from dataclasses import dataclass, field

from .forum_models import Forum

# The drawing's measures, in SVG user units (pixels at 100%).
BOX_WIDTH = 400
# About how many characters of 14 px text fit in a box, its padding left out.
BOX_CHARACTERS = 50
BOX_HEIGHT = 44
INDENT = 40
ROW = 56
MARGIN = 8


@dataclass
class ForumNode:
    forum: Forum
    depth: int
    children: list["ForumNode"] = field(default_factory=list)
    # Where the drawing puts the forum's box.
    x: int = 0
    y: int = 0

    @property
    def line_x(self) -> int:
        """Where the line down to the forum's children starts."""
        return self.x + INDENT // 2

    @property
    def label(self) -> str:
        """What the box says: abbreviation and name, cut with "…" where it would not fit (the
        list above the drawing has every name in full)."""
        forum = self.forum
        text = f"{forum.abbreviation} · {forum.name}" if forum.abbreviation else forum.name
        if len(text) <= BOX_CHARACTERS:
            return text
        return text[: BOX_CHARACTERS - 1].rstrip() + "…"

    @property
    def text_y(self) -> int:
        return self.y + BOX_HEIGHT // 2 + 5

    @property
    def joins(self) -> list[tuple[int, int, int, int]]:
        """The lines from this forum's box to each child's: down, then across."""
        return [
            (self.line_x, self.y + BOX_HEIGHT, self.line_x, child.y + BOX_HEIGHT // 2)
            for child in self.children[-1:]
        ] + [
            (self.line_x, child.y + BOX_HEIGHT // 2, child.x, child.y + BOX_HEIGHT // 2)
            for child in self.children
        ]


@dataclass
class Structure:
    roots: list[ForumNode]
    nodes: list[ForumNode]  # depth first, as drawn
    width: int
    height: int

    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT

    @property
    def count(self) -> int:
        return len(self.nodes)


def governance_structure() -> Structure:
    forums = list(
        Forum.objects.select_related("chair_post__holder", "deputy_chair_post").prefetch_related(
            "aliases"
        )
    )
    children: dict[int | None, list[Forum]] = {}
    known = {forum.pk for forum in forums}
    for forum in forums:
        parent = forum.reports_to_id if forum.reports_to_id in known else None
        children.setdefault(parent, []).append(forum)
    nodes: list[ForumNode] = []

    def grow(forum: Forum, depth: int, seen: frozenset) -> ForumNode:
        node = ForumNode(forum, depth, x=MARGIN + depth * INDENT, y=MARGIN + len(nodes) * ROW)
        nodes.append(node)
        for child in children.get(forum.pk, []):
            if child.pk not in seen:  # a loop saved before the check existed is cut here
                node.children.append(grow(child, depth + 1, seen | {child.pk}))
        return node

    roots = [grow(forum, 0, frozenset({forum.pk})) for forum in children.get(None, [])]
    for forum in forums:  # in a loop saved before the checks existed: shown from the top
        if all(node.forum.pk != forum.pk for node in nodes):
            roots.append(grow(forum, 0, frozenset({forum.pk})))
    deepest = max((node.depth for node in nodes), default=0)
    return Structure(
        roots=roots,
        nodes=nodes,
        width=2 * MARGIN + deepest * INDENT + BOX_WIDTH,
        height=2 * MARGIN + max(len(nodes), 1) * ROW - (ROW - BOX_HEIGHT),
    )
