"""Issue 9: nothing typed is lost. The section merge (ics_portal/workflow/merge.py) on its own, and the
server's part of every failure: expiry, the CSRF page, a post too large, a refused save. The
browser's part (keeping and restoring text) is in tests/browser/test_no_lost_work.py."""

import datetime

from django.test import Client, override_settings
from django.urls import reverse

from ics_portal.workflow import merge

from .support import form_data, url

# --- the merge on its own ------------------------------------------------------------------


def _plan(base, mine, theirs, **kwargs):
    return merge.plan_save(
        posted={"s": mine},
        stored={"s": theirs},
        bases={"s": merge.fingerprint(base)},
        **kwargs,
    )


def test_only_sections_the_saver_changed_are_written():
    assert _plan("a", "a", "a").write == {}
    assert _plan("a", "b", "a").write == {"s": "b"}


def test_a_section_changed_only_elsewhere_is_left_alone_and_reported():
    result = _plan("a", "a", "theirs")
    assert result.write == {} and not result.conflicts
    assert [c.key for c in result.changed_elsewhere] == ["s"]
    assert result.bases == {"s": merge.fingerprint("a")}  # the form still shows "a"


def test_a_section_changed_on_both_sides_is_a_conflict_naming_the_other_person():
    edits = {"s": {"by": 7, "name": "Gus Governance", "at": "2026-12-06T14:03:00+00:00"}}
    result = _plan("a", "mine", "theirs", edits=edits)
    [conflict] = result.conflicts
    assert result.write == {} and conflict.by_name == "Gus Governance" and not conflict.by_you
    assert conflict.theirs == "theirs"


def test_the_same_change_on_both_sides_is_no_conflict():
    result = _plan("a", "same", "same")
    assert result.write == {} and not result.conflicts


def test_a_choice_counts_only_against_the_text_that_was_shown():
    shown = merge.fingerprint("theirs")
    assert _plan("a", "mine", "theirs", resolutions={"s": ("mine", shown)}).write == {"s": "mine"}
    assert _plan("a", "mine", "theirs", resolutions={"s": ("theirs", shown)}).write == {}
    again = _plan("a", "mine", "newer", resolutions={"s": ("mine", shown)})
    assert again.write == {} and again.conflicts


def test_rich_text_white_space_and_line_endings_are_not_changes():
    assert merge.fingerprint("<p>One</p>\r\n<p>Two</p>") == merge.fingerprint(
        "<p>One</p>\n<p>Two</p>"
    )
    assert merge.fingerprint("Some words \r\n") == merge.fingerprint("Some words")
    assert merge.fingerprint(datetime.date(2021, 9, 30)) == merge.fingerprint("2021-09-30")
    assert merge.fingerprint([3, 1]) == merge.fingerprint([1, 3])


def test_bad_bases_are_ignored_not_trusted():
    assert merge.parse_bases("not json") is None
    assert merge.parse_bases('["a"]') is None
    assert merge.parse_bases('{"a": 1}') is None
    assert merge.parse_bases('{"a": "f00"}') == {"a": "f00"}


# --- expiry and refusals -------------------------------------------------------------------


def test_save_draft_after_the_session_expired_signs_in_and_comes_back_to_restore(client, update):
    response = client.post(url(update, "update_edit"), form_data(update))
    assert response.status_code == 302
    next_url = url(update, "update_edit") + "?restore=1"
    assert (
        response["Location"]
        == f"{reverse('login')}?next={next_url.replace('?', '%3F').replace('=', '%3D')}"
    )
    page = client.get(response["Location"]).content.decode()
    assert 'id="restore-notice"' in page and "kept in this browser" in page


def test_submit_after_the_session_expired_also_comes_back_to_the_form(client, update):
    response = client.post(url(update, "update_submit"), form_data(update))
    assert (
        "edit%2F%3Frestore%3D1" in response["Location"]
        or "edit/%3Frestore%3D1" in response["Location"]
    )


def test_the_autosave_after_expiry_offers_to_sign_in_in_the_same_tab(client, update):
    html = client.post(url(update, "update_autosave"), form_data(update), HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert "Sign in again to carry on" in html and "restore%3D1" in html


def test_a_stale_csrf_token_leads_back_to_the_form_with_the_text_put_back(lead, update):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    edit = "http://testserver" + url(update, "update_edit")
    response = client.post(url(update, "update_edit"), form_data(update), HTTP_REFERER=edit)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your page expired" in html
    assert f'href="{url(update, "update_edit")}?restore=1"' in html


def test_the_csrf_page_never_links_off_site(lead, update):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    html = client.post(
        url(update, "update_edit"), form_data(update), HTTP_REFERER="https://evil.example/x"
    ).content.decode()
    assert "evil.example" not in html


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
def test_a_save_over_the_size_limit_is_a_clear_page_leading_back(client, lead, update):
    client.force_login(lead)
    edit = "http://testserver" + url(update, "update_edit")
    data = form_data(update, key_risks="<p>" + "x" * 5000 + "</p>")
    response = client.post(url(update, "update_edit"), data, HTTP_REFERER=edit)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Too much to save in one go" in html and "?restore=1" in html
    assert html.count("<h1") == 1


def test_the_form_carries_what_the_browser_needs_to_keep_text(client, lead, update):
    client.force_login(lead)
    html = client.get(url(update, "update_edit")).content.decode()
    assert f'data-draft-key="update:workstream:{update.pk}"' in html
    assert 'name="section_bases"' in html and 'data-max-bytes="' in html
    assert 'id="draft-restore"' in html and "portal/drafts.js" in html
    assert html.index("portal/drafts.js") < html.index("django_prose_editor")


def test_a_500_on_saving_leads_back_to_the_form_with_the_text_put_back(lead, update, monkeypatch):
    from reporting import actions

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(actions, "merge_edits", broken)
    client = Client(raise_request_exception=False)
    client.force_login(lead)
    edit = "http://testserver" + url(update, "update_edit")
    response = client.post(url(update, "update_edit"), form_data(update), HTTP_REFERER=edit)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert f'href="{url(update, "update_edit")}?restore=1"' in html


# --- dates typed as day, month and year ---------------------------------------------------------


def test_a_date_typed_as_day_month_and_year_autosaves(client, lead, update):
    client.force_login(lead)
    data = form_data(update, date_of_update=("15", "12", "2021"))
    assert {"date_of_update_day", "date_of_update_month", "date_of_update_year"} <= set(data)
    html = client.post(url(update, "update_autosave"), data, HTTP_HX_REQUEST="true")
    assert "Saved at" in html.content.decode()
    update.refresh_from_db()
    assert update.date_of_update == datetime.date(2021, 12, 15)


def test_a_half_typed_date_loses_nothing_typed(client, lead, update):
    client.force_login(lead)
    data = form_data(update, date_of_update=("15", "12", ""), key_risks="<p>Written just now.</p>")
    response = client.post(url(update, "update_edit"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_date_of_update_year">Date of update must include a year</a>' in html
    # The boxes hold what was typed; the rest of the form too.
    assert 'name="date_of_update_day" type="text" inputmode="numeric" value="15"' in html
    assert 'name="date_of_update_month" type="text" inputmode="numeric" value="12"' in html
    assert 'name="date_of_update_year" type="text" inputmode="numeric" value=""' in html
    assert "Written just now." in html
    update.refresh_from_db()
    assert update.version == 1 and update.date_of_update is None


def test_a_page_opened_before_the_date_input_keeps_its_date_on_autosave(client, lead, update):
    """A form drawn with type="date" posts one ISO date; its autosave must not clear it."""
    client.force_login(lead)
    data = {k: v for k, v in form_data(update).items() if not k.startswith("date_of_update")}
    data["date_of_update"] = "2021-12-14"
    html = client.post(url(update, "update_autosave"), data, HTTP_HX_REQUEST="true")
    assert "Saved at" in html.content.decode()
    update.refresh_from_db()
    assert update.date_of_update == datetime.date(2021, 12, 14)
