"""The search page's content (issue 15): the form, the words searched, and a page of ranked
results the reader may see, in a fixed number of queries however much is indexed."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator

from ics_portal.models import ReportingCycle
from workstreams.models import Theme

from .search_forms import SearchFilterForm
from .search_query import (
    MAX_QUERY_CHARS,
    SearchResults,
    SearchTerms,
    cycle_labels,
    search_terms,
    visible_documents,
)

RESULTS_PER_PAGE = 20


@dataclass(frozen=True)
class SearchPage:
    words: str  # as typed (shown back in the box)
    form: SearchFilterForm
    terms: SearchTerms
    page: Page | None  # None: nothing to search for yet
    elided: list
    query: str  # the words and filters, for the pagination links
    filtered: bool
    max_query_chars: int = MAX_QUERY_CHARS


def search_page(user, params, page_number) -> SearchPage:
    cycles = list(ReportingCycle.objects.order_by("-fy_start_year", "-quarter"))
    themes = list(Theme.objects.order_by("order", "number"))
    words = params.get("q", "")
    filter_params = {
        name: params.get(name) for name in SearchFilterForm.base_fields if name in params
    }
    form = SearchFilterForm(filter_params or None, cycles=cycles, themes=themes)
    filters = form.filters()
    terms = search_terms(words)
    page, elided = None, []
    if not terms.empty:
        documents = visible_documents(user).filter(filters)
        results = SearchResults(documents, terms, cycle_labels(cycles))
        page = Paginator(results, RESULTS_PER_PAGE).get_page(page_number)
        elided = list(page.paginator.get_elided_page_range(page.number))
    query = {k: v for k, v in params.items() if k != "page" and v}
    return SearchPage(
        words=words,
        form=form,
        terms=terms,
        page=page,
        elided=elided,
        query=urlencode(query),
        filtered=bool(filters),
    )
