"""The demo's posts, forums and meetings (issue 16), from fixtures/demo/forums.json: seed 004's
2018 committee table (frequency, chair, summary of objectives, membership, as written), the
2021 forums seeds 000-003 name, and the 2023 ICB committees seed 003 matches through aliases.
Each cycle's board meeting, written as text on the cycle, becomes a Meeting of the forum the
text names (matched through ics_portal/forum_names.py). Loading again changes nothing."""

import datetime

from ics_portal.forum_names import match, says_in_public
from ics_portal.models import (
    Forum,
    ForumAlias,
    ForumMember,
    Meeting,
    Post,
    PostAlias,
    ReportingCycle,
    User,
)


def load_forums(data: dict) -> dict[str, Forum]:
    """Posts and forums from forums.json's rows (`data`), by name."""
    people = {user.email: user for user in User.objects.filter(email__endswith="@example.nhs.uk")}
    posts = {}
    for row in data["posts"]:
        post, _ = Post.objects.update_or_create(
            short_name=row["short_name"],
            defaults={"title": row["title"], "holder": people.get(row["holder"])},
        )
        for alias in row["aliases"]:
            PostAlias.objects.get_or_create(post=post, name=alias)
        posts[post.short_name] = post
    forums: dict[str, Forum] = {}
    for row in data["forums"]:
        forum, _ = Forum.objects.update_or_create(
            name=row["name"],
            defaults={
                "abbreviation": row.get("abbreviation", ""),
                "kind": row["kind"],
                "frequency": row.get("frequency", ""),
                "frequency_label": row.get("frequency_label", ""),
                "chair_post": posts.get(row.get("chair_post")),
                "deputy_chair_post": posts.get(row.get("deputy_chair_post")),
                "chair_label": row.get("chair_label", ""),
                "purpose": row.get("purpose", ""),
                "reports_to": forums.get(row.get("reports_to")),
                "meets_in": row.get("meets_in", Forum.Sittings.PRIVATE),
                "active_from": _day(row.get("active_from")),
            },
        )
        for alias in row.get("aliases", []):
            ForumAlias.objects.get_or_create(forum=forum, name=alias)
        forum.members.all().delete()
        for order, (label, count, attending, *post) in enumerate(row.get("members", []), 1):
            ForumMember.objects.create(
                forum=forum,
                role_label=label,
                count=count,
                in_attendance=attending,
                post=posts.get(post[0]) if post else None,
                order=order,
            )
        forums[forum.name] = forum
    return forums


def load_board_meetings() -> list[Meeting]:
    """A Meeting for each cycle whose board meeting names a known forum and has a date."""
    known = [(forum, forum.names()) for forum in Forum.objects.prefetch_related("aliases")]
    meetings = []
    cycles = ReportingCycle.objects.exclude(board_forum="").exclude(board_meeting_date=None)
    for cycle in cycles:
        forum = match(cycle.board_forum, known)
        if forum is None:
            continue
        meeting, _ = Meeting.objects.get_or_create(
            forum=forum,
            date=cycle.board_meeting_date,
            in_public=bool(says_in_public(cycle.board_forum)),
        )
        meetings.append(meeting)
    return meetings


def _day(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None
