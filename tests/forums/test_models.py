"""Posts, forums and meetings as the database keeps them (issue 16): a forum never reports to
itself, even through others; aliases are unique however they are written; one meeting per forum,
day and sitting, with papers due before it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ics_portal.models import Forum, ForumAlias, ForumMember, Meeting, Post, PostAlias

pytestmark = pytest.mark.django_db


def _forum(name, **kwargs):
    return Forum.objects.create(name=name, **kwargs)


def test_a_forum_cannot_report_to_itself():
    forum = _forum("System Leaders")
    forum.reports_to = forum
    with pytest.raises(ValidationError, match="cannot report to itself"):
        forum.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        forum.save()


def test_a_forum_cannot_report_to_one_that_reports_to_it():
    top = _forum("System Leaders")
    middle = _forum("Local People Board", reports_to=top)
    bottom = _forum("Learning and OD Forum", reports_to=middle)
    top.reports_to = bottom
    with pytest.raises(ValidationError) as refused:
        top.full_clean()
    assert "Learning and OD Forum already reports" in str(refused.value)
    top.reports_to = None
    bottom.reports_to = top  # a forum may move under another without a loop
    bottom.full_clean()


def test_an_alias_is_unique_however_it_is_written():
    forum = _forum("System Quality Group", abbreviation="SQG")
    ForumAlias.objects.create(forum=forum, name="Quality Group")
    with pytest.raises(IntegrityError), transaction.atomic():
        ForumAlias.objects.create(forum=_forum("Other"), name="quality  group.")
    officer = Post.objects.create(title="Accountable Officer", short_name="AO")
    PostAlias.objects.create(post=officer, name="Chief Officer")
    with pytest.raises(IntegrityError), transaction.atomic():
        PostAlias.objects.create(post=officer, name="CHIEF OFFICER")
    assert forum.names() == ["System Quality Group", "SQG", "Quality Group"]


def test_one_meeting_per_forum_day_and_sitting_with_papers_due_before_it():
    board = _forum("System Partnership Board", kind=Forum.Kind.BOARD)
    day = datetime.date(2021, 7, 28)
    public = Meeting.objects.create(forum=board, date=day, in_public=True)
    Meeting.objects.create(forum=board, date=day, in_public=False)  # its private part
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(forum=board, date=day, in_public=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(forum=board, date=day, papers_due=datetime.date(2021, 7, 29))
    assert str(public) == "System Partnership Board Meeting in Public, 28 July 2021"


def test_a_forum_with_meetings_cannot_be_deleted_and_a_post_outlives_its_holder(lead):
    board = _forum("System Partnership Board")
    Meeting.objects.create(forum=board, date=datetime.date(2021, 7, 28))
    with pytest.raises(IntegrityError), transaction.atomic():
        board.delete()
    officer = Post.objects.create(title="Chief Finance Officer", short_name="CFO", holder=lead)
    assert list(lead.posts_held.all()) == [officer]
    lead.delete()
    officer.refresh_from_db()
    assert officer.holder is None


def test_seats_read_as_the_terms_of_reference_write_them():
    audit = _forum("Audit Committee")
    seats = [
        ForumMember.objects.create(forum=audit, role_label="Lay Members", count=2, order=1),
        ForumMember.objects.create(
            forum=audit, role_label="CFO and CCG Secretary", in_attendance=True, order=2
        ),
    ]
    assert [str(seat) for seat in seats] == [
        "2 Lay Members",
        "CFO and CCG Secretary (in attendance)",
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        ForumMember.objects.create(forum=audit, role_label="Nobody", count=0)
