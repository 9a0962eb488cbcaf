"""Governance's audit page: who may see it, its filters (person, action, object, dates; bad
input is a message, never a server error), autosaves folded into one entry per run, the same
few queries however long the trail, and the client address and before/after shown readably.
Run on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ics_portal import audit_presenters
from ics_portal.audit import VERB_LABELS, AuditVerb, verb_label

from .. import factories
from ..dates import date_fields
from .support import signed_in_earlier

URL = reverse("audit_log")
T0 = timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 2))


def _client(user) -> Client:
    return signed_in_earlier(user)


def _event(minutes=0, **fields):
    defaults = {
        "created_at": T0 + datetime.timedelta(minutes=minutes),
        "actor_id": 1,
        "actor_name": "Lee Lead",
        "verb": AuditVerb.UPDATE_SAVE,
        "object_type": "reporting.WorkstreamUpdate",
        "object_id": "7",
        "object_label": "DIGITAL – Q3 2021/22",
        "session_ref": "a" * 16,
    }
    return factories.AuditEventFactory(**{**defaults, **fields})


def _entries(**filters):
    page = audit_presenters.audit_page(audit_presenters.AuditFilters(**filters))
    return list(page.object_list)


# --- who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),
        ("board_member", 404),
        ("lead", 404),
        ("governance", 200),
        ("superuser", 200),
    ],
)
def test_only_governance_and_superusers_see_the_page_and_its_export(who, status, request):
    client = _client(request.getfixturevalue(who))
    assert client.get(URL).status_code == status
    assert client.get(reverse("dataio:audit_export"), {"format": "csv"}).status_code == status


def test_signed_out_people_are_sent_to_sign_in(db):
    for url in (URL, reverse("dataio:audit_export")):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_header_links_to_it_for_governance_only(governance, lead):
    assert f'href="{URL}"' in _client(governance).get(reverse("home")).content.decode()
    assert f'href="{URL}"' not in _client(lead).get(reverse("home")).content.decode()


# --- labels --------------------------------------------------------------------------------------


def test_every_verb_has_a_plain_english_label_and_the_filter_offers_them_all(governance):
    assert set(VERB_LABELS) == set(AuditVerb)
    assert all(label and label[0].isupper() and "." not in label for label in VERB_LABELS.values())
    page = _client(governance).get(URL).content.decode()
    for verb, label in VERB_LABELS.items():
        assert f'value="{verb.value}"' in page
        assert label.replace("'", "&#x27;") in page
    assert verb_label("retired.verb") == "retired.verb"  # an old row's verb, as stored


# --- folding autosaves ---------------------------------------------------------------------------


def test_a_run_of_autosaves_in_one_session_is_one_entry(governance):
    for minute in range(14):
        _event(minute * 2, after={"changed": ["key_risks"]})
    response = _client(governance).get(URL)
    html = response.content.decode()
    assert "Saved 14 times" in html
    assert "Saved 14 times, 10:02–10:28" in html
    (entry,) = response.context["page"].object_list
    assert entry.count == 14


def test_runs_split_by_session_by_another_action_and_by_person(db):
    _event(0)
    _event(1)
    _event(2, session_ref="b" * 16)  # another session
    _event(3, session_ref="b" * 16)
    _event(4, verb=AuditVerb.UPDATE_SUBMIT, session_ref="b" * 16)  # submitted
    _event(5, session_ref="b" * 16)
    _event(6, actor_id=2, actor_name="Dee Deputy", session_ref="c" * 16)  # someone else
    _event(7, session_ref="b" * 16)  # the same run as minute 5: the deputy is not in it
    counts = [(e.event.actor_name, e.event.verb, e.count) for e in _entries()]
    assert counts == [
        ("Lee Lead", AuditVerb.UPDATE_SAVE, 2),  # minutes 5 and 7
        ("Dee Deputy", AuditVerb.UPDATE_SAVE, 1),
        ("Lee Lead", AuditVerb.UPDATE_SUBMIT, 1),
        ("Lee Lead", AuditVerb.UPDATE_SAVE, 2),  # minutes 2 and 3
        ("Lee Lead", AuditVerb.UPDATE_SAVE, 2),  # minutes 0 and 1
    ]


def test_saves_on_different_objects_are_not_folded_together(db):
    _event(0)
    _event(1, object_id="8")
    _event(2, verb=AuditVerb.RISK_REVIEW_SAVE, object_type="risks.RiskReview", object_id="7")
    assert [e.count for e in _entries()] == [1, 1, 1]


def test_other_actions_are_never_folded(db):
    for minute in range(3):
        _event(minute, verb=AuditVerb.UPDATE_SUBMIT)
    assert [e.count for e in _entries()] == [1, 1, 1]


def test_saves_without_a_session_fold_while_they_follow_within_half_an_hour(db):
    _event(0, session_ref="")
    _event(20, session_ref="")
    _event(45, session_ref="")
    _event(100, session_ref="")  # 55 minutes later: a new run
    assert [e.count for e in _entries()] == [1, 3]


def test_a_folded_entry_shows_the_first_before_and_the_last_after(db):
    _event(0, before={"overall_status": "ON_TRACK"}, after={"overall_status": "AT_RISK"})
    _event(1, before={"overall_status": "AT_RISK"}, after={"overall_status": "DELAYED"})
    (entry,) = _entries()
    (change,) = entry.changes
    assert (change.field, change.before, change.after) == ("Overall status", "On track", "Delayed")


def test_the_page_folds_then_paginates(governance):
    for minute in range(60):
        _event(minute, session_ref=f"{minute:016d}")  # 60 sessions: 60 entries
    first = _client(governance).get(URL)
    assert first.context["page"].paginator.count == 60
    assert len(first.context["page"].object_list) == audit_presenters.PAGE_SIZE
    second = _client(governance).get(URL, {"page": 2})
    assert len(second.context["page"].object_list) == 60 - audit_presenters.PAGE_SIZE
    assert "?page=1" in second.content.decode()
    newest = first.context["page"].object_list[0].event
    assert newest.created_at == T0 + datetime.timedelta(minutes=59)


@pytest.mark.parametrize("page", ["999", "x", "-1", ""])
def test_a_page_number_out_of_range_or_not_a_number_shows_a_page(governance, page):
    _event(0)
    assert _client(governance).get(URL, {"page": page}).status_code == 200


# --- the same queries however long the trail -----------------------------------------------------


def _trail(runs: int):
    for run in range(runs):
        for minute in range(3):
            _event(run * 10 + minute, session_ref=f"{run:016d}", object_id=str(run))
        _event(run * 10 + 5, verb=AuditVerb.UPDATE_SUBMIT, object_id=str(run), after={"x": 1})


@pytest.mark.parametrize("runs", [3, 120])
def test_the_page_makes_the_same_few_queries_however_long_the_trail(
    governance, runs, django_assert_max_num_queries
):
    _trail(runs)
    client = _client(governance)
    client.get(URL)  # the session and the user, loaded once
    # The session, the user, their second factor (the two-step gate), their roles, their
    # organisation (the header), the kinds of object (the filter), the number of entries, the
    # page's entries, and their events.
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"person": "lee", "page": 2})
    assert response.status_code == 200
    entries, size = runs * 2, audit_presenters.PAGE_SIZE
    expected = entries if entries <= size else min(size, entries - size)  # page 2, or the last
    assert len(response.context["page"].object_list) == expected


# --- filters -------------------------------------------------------------------------------------


def test_filter_by_person_by_name_or_email(governance, lead):
    _event(0, actor_id=lead.pk, actor_name=lead.full_name)
    _event(1, actor_id=governance.pk, actor_name=governance.full_name, session_ref="")
    assert [e.event.actor_id for e in _entries(person="lee")] == [lead.pk]
    assert [e.event.actor_id for e in _entries(person=lead.email.upper())] == [lead.pk]
    page = _client(governance).get(URL, {"person": "gus"})
    assert [e.event.actor_id for e in page.context["page"].object_list] == [governance.pk]


def test_filter_by_action(governance):
    _event(0)
    _event(1, verb=AuditVerb.UPDATE_APPROVE)
    page = _client(governance).get(URL, {"action": AuditVerb.UPDATE_APPROVE})
    assert [e.event.verb for e in page.context["page"].object_list] == [AuditVerb.UPDATE_APPROVE]
    assert "Approved an update" in page.content.decode()


def test_filter_by_kind_of_object_and_by_its_name_or_id(governance):
    _event(0)
    _event(1, object_type="risks.BAFRisk", object_id="3", object_label="07 Workforce capacity")
    _event(2, object_type="risks.BAFRisk", object_id="4", object_label="09 Finance")
    client = _client(governance)
    page = client.get(URL, {"object_type": "risks.BAFRisk"})
    assert "BAF risk" in page.content.decode()  # the kind in words, in the filter and the table
    assert {e.event.object_id for e in page.context["page"].object_list} == {"3", "4"}
    by_label = client.get(URL, {"object_type": "risks.BAFRisk", "object": "workforce"})
    assert [e.event.object_id for e in by_label.context["page"].object_list] == ["3"]
    by_id = client.get(URL, {"object": "4"})
    assert [e.event.object_id for e in by_id.context["page"].object_list] == ["4"]


def test_filter_by_date_range_inclusive(governance):
    day = datetime.timedelta(days=1)
    _event(0, session_ref="")
    _event(0, created_at=T0 - day, session_ref="1" * 16)
    _event(0, created_at=T0 + day, session_ref="2" * 16)
    query = {
        **date_fields("date_from", ("20", "11", "2026")),
        **date_fields("date_to", "2026-11-20"),
    }
    page = _client(governance).get(URL, query)
    assert [e.event.created_at for e in page.context["page"].object_list] == [T0]
    since = _client(governance).get(URL, date_fields("date_from", ("20", "11", "2026")))
    assert len(since.context["page"].object_list) == 2
    # A link kept from before the date input (one date, ISO or 20/11/2026) still filters.
    kept = _client(governance).get(URL, {"date_from": "2026-11-20", "date_to": "20/11/2026"})
    assert [e.event.created_at for e in kept.context["page"].object_list] == [T0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (date_fields("date_from", ("31", "2", "2026")), "From date must be a real date"),
        (date_fields("date_to", ("yesterday", "", "")), "To date must include a month and a"),
        (date_fields("date_from", ("20", "11", "26")), "From date must include a year with 4"),
        (date_fields("date_from", "0001-01-01"), "From date must be between 1 April 2000"),
        (date_fields("date_to", "9999-12-31"), "To date must be between 1 April 2000"),
        ({"date_from": "31/02/2026"}, "From date must be a real date"),
        (
            {**date_fields("date_from", "2026-11-21"), **date_fields("date_to", "2026-11-20")},
            "The to date must be the same as or after the from date",
        ),
        ({"action": "nothing.like.this"}, "Select a valid choice"),
        ({"object_type": "<script>"}, "Select a valid choice"),
        ({"person": "x" * 400}, "at most 300 characters"),
    ],
)
def test_bad_filters_are_explained_never_a_server_error(governance, query, message):
    _event(0)
    response = _client(governance).get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error: " in html


def test_unfiltered_is_everything_newest_first(governance):
    _event(0, verb=AuditVerb.UPDATE_SUBMIT)
    _event(1, verb=AuditVerb.UPDATE_APPROVE)
    page = _client(governance).get(URL)
    assert [e.event.verb for e in page.context["page"].object_list] == [
        AuditVerb.UPDATE_APPROVE,
        AuditVerb.UPDATE_SUBMIT,
    ]


# --- what an entry shows -------------------------------------------------------------------------


def test_an_entry_shows_the_client_address_and_before_and_after_readably(governance):
    _event(
        0,
        verb=AuditVerb.ACCESS_CHANGE,
        object_type="ics_portal.User",
        object_label="Bea Board",
        ip_address="203.0.113.7",
        before={"is_staff": False, "groups": ["Board member"]},
        after={"is_staff": True, "groups": ["Board member", "Governance officer"]},
        comment="Joined the governance team",
    )
    html = _client(governance).get(URL).content.decode()
    assert "203.0.113.7" in html
    assert "Changed who can see or do what" in html
    assert "Is staff" in html and "No" in html and "Yes" in html
    assert "Board member; Governance officer" in html
    assert "Joined the governance team" in html
    assert "User" in html  # the kind of object in words
