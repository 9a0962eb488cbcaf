"""Plain text of rich text (ics_portal.richtext.html_to_text), used by CSV and spreadsheet
exports, the "unchanged since last quarter" comparisons and the reviewers' diffs."""

import datetime

import pytest

from dataio.columns import html_to_cell_text
from ics_portal.richtext import html_to_text, sanitise_html
from reporting.review import Section


def test_typed_entities_stay_as_typed():
    """A lead who types "&lt;tag&gt;" in the editor stores "&amp;lt;tag&amp;gt;"; its text is
    what they typed, not "<tag>"."""
    stored = sanitise_html("<p>Use &amp;lt;tag&amp;gt; &amp;amp; &amp;nbsp; here</p>")
    assert html_to_text(stored) == "Use &lt;tag&gt; &amp; &nbsp; here"


def test_escaped_markup_is_text():
    assert html_to_text("<p>1 &lt; 2 &amp;&amp; 3 &gt; 2, &quot;quoted&quot; &#39;x&#39;</p>") == (
        "1 < 2 && 3 > 2, \"quoted\" 'x'"
    )


def test_nested_list_items_are_separate_lines_indented():
    html = (
        "<ul><li><p>Workforce</p><ul><li>Recruitment</li><li>Retention"
        "<ol><li>Flexible working</li></ol></li></ul></li><li>Digital</li></ul>"
    )
    assert html_to_text(html) == (
        "Workforce\n  Recruitment\n  Retention\n    Flexible working\nDigital"
    )


def test_paragraphs_and_line_breaks_are_kept():
    html = "<p>First line<br>second line</p><p>Second <strong>paragraph</strong>.</p>"
    assert html_to_text(html) == "First line\nsecond line\nSecond paragraph."


def test_spacing_inside_a_line_is_that_of_the_page():
    assert html_to_text("<p>  Spread\n   over&nbsp;lines  </p>") == "Spread over lines"


def test_table_rows_are_lines_and_cells_are_separated():
    html = "<table><tr><th>Risk</th><th>Score</th></tr><tr><td>07</td><td>16</td></tr></table>"
    assert html_to_text(html) == "Risk | Score\n07 | 16"


def test_empty_and_missing_text():
    assert html_to_text(None) == ""
    assert html_to_text("") == ""
    assert html_to_text("<p></p><p><br></p>") == ""


def test_script_and_style_content_is_not_text():
    assert html_to_text("<p>Keep</p><script>alert(1)</script><style>p{}</style>") == "Keep"


@pytest.mark.parametrize("html", ["<![foo[bar]]>text", "<p>a<![CDATA[b]]>c</p>", "<!doctype x>t"])
def test_malformed_declarations_do_not_raise(html):
    assert isinstance(html_to_text(html), str)


def test_spreadsheet_cells_mark_each_list_item_on_its_own_line():
    html = "<ul><li>Parent<ul><li>Child &amp;lt;b&amp;gt;</li></ul></li></ul>"
    assert html_to_cell_text(html) == "• Parent\n  • Child &lt;b&gt;"


def test_a_reviewers_diff_shows_what_was_typed():
    section = Section(key="key_risks", label="Key risks", html="<p>&amp;lt;tag&amp;gt;</p>")
    assert section.text == "&lt;tag&gt;"


def test_the_updates_csv_keeps_typed_entities(db):
    from dataio import exporters
    from ics_portal.models import ReportingCycle
    from reporting.models import WorkstreamUpdate
    from tests import factories

    cycle = factories.ReportingCycleFactory(
        fy_start_year=2021,
        quarter=3,
        opens_on=datetime.date(2021, 12, 1),
        status=ReportingCycle.Status.OPEN,
    )
    update = factories.WorkstreamUpdateFactory(cycle=cycle)
    WorkstreamUpdate.objects.filter(pk=update.pk).update(
        key_risks="<p>Replace &amp;lt;tag&amp;gt; in the template</p>"
    )
    result = exporters.export("updates", fmt="csv", cycle=cycle)
    text = result.content.decode("utf-8-sig")
    assert "Replace &lt;tag&gt; in the template" in text
    assert "<tag>" not in text
