"""Searching the index (issue 15): what the reader typed, what they may see, and the ranked,
highlighted matches, on PostgreSQL (full-text search: English configuration, GIN index,
SearchRank, SearchHeadline) and on SQLite (FTS5: bm25, highlight(), snippet()).

Both read a query the same way: its words (letters and digits), common English words left out,
every word needed (AND), each stemmed by the database. Nothing typed is ever query syntax:
quotes, NEAR, OR, *, - and the like are punctuation or plain words, so no query can fail.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ics_portal import permissions
from ics_portal.models import ReportingCycle
from ics_portal.permissions import Perm, has_permission
from ics_portal.search_sources import Visibility, search_sources
from ics_portal.workflow.states import READABLE_BY_BOARD_STATES

from .models import SearchDocument

# Longer queries are cut (and the page says so): a pasted paragraph is still answered.
MAX_QUERY_CHARS = 200
MAX_WORDS = 12
MAX_WORD_CHARS = 60
# Matches come back between these (never in indexed text: search_index.py strips them).
_START, _STOP = "\x02", "\x03"
# PostgreSQL's parser reads "<b>" as a tag and "&amp;" as an entity, and its headline drops
# them; the text is plain, so they are words someone typed. Its headline is made from the text
# with these two characters stood in for, and given back after.
_STAND_INS = {"<": "\x04", "&": "\x05"}
# The title outweighs the text: PostgreSQL's weights A (1.0) and B (0.4) in ts_rank, the same
# proportion in bm25's column weights.
_TITLE_WEIGHT, _TEXT_WEIGHT = 2.5, 1.0
SNIPPET_WORDS = 32
_WORD = re.compile(r"[^\W_]+")

# PostgreSQL's English stop words (snowball): its English configuration leaves them out of the
# index, so both databases leave them out of a query.
_STOP_LIST = """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now"""
STOP_WORDS = frozenset(_STOP_LIST.split())


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...]
    shortened: bool  # the query was longer than is searched

    @property
    def empty(self) -> bool:
        return not self.words


def search_terms(query: str | None) -> SearchTerms:
    """The words searched for in what was typed."""
    query = query or ""
    shortened = len(query) > MAX_QUERY_CHARS
    words: list[str] = []
    for word in _WORD.findall(query[:MAX_QUERY_CHARS].lower()):
        word = word[:MAX_WORD_CHARS]
        if word not in STOP_WORDS and word not in words:
            words.append(word)
    if len(words) > MAX_WORDS:
        words, shortened = words[:MAX_WORDS], True
    return SearchTerms(tuple(words), shortened)


# --- who may find what ------------------------------------------------------------------------


def visible_documents(user) -> QuerySet:
    """The documents `user` may find: each source's rule, as a filter (a reviewed item by
    Perm.UPDATE_VIEW's rule: governance, its leads, board members once approved)."""
    documents = SearchDocument.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return documents.none()
    if permissions.is_governance(user):
        return documents
    reads_register = has_permission(user, Perm.RISK_VIEW)
    board = permissions.is_board_member(user)
    led = {
        "workstream_id": Q(workstream_id__in=user.led_workstreams.values("pk"))
        | Q(workstream_id__in=user.deputised_workstreams.values("pk")),
        "golden_thread_id": Q(golden_thread_id__in=user.led_golden_threads.values("pk")),
        "risk_id": Q(risk_id__in=user.owned_risks.values("pk")),
    }
    allowed = Q(pk__in=[])
    for source in search_sources():
        findable = source.visibility == Visibility.PLAN or (
            source.visibility == Visibility.REGISTER and reads_register
        )
        if findable:
            allowed |= Q(kind=source.kind)
        elif source.visibility == Visibility.REVIEWED:
            mine = led[source.leads_by]
            if board:
                mine |= Q(state__in=READABLE_BY_BOARD_STATES)
            allowed |= Q(kind=source.kind) & mine
    return documents.filter(allowed)


# --- the databases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    document_id: int
    title: str  # with _START/_STOP around the matched words
    snippet: str


class _PostgresSearch:
    def __init__(self, documents: QuerySet, terms: SearchTerms):
        from django.contrib.postgres.search import SearchQuery, SearchVectorField
        from django.db.models.expressions import RawSQL

        self.query = SearchQuery(" ".join(terms.words), search_type="plain", config="english")
        vector = RawSQL(
            f'"{SearchDocument._meta.db_table}"."search_vector"',
            [],
            output_field=SearchVectorField(),
        )
        self.matching = documents.annotate(vector=vector).filter(vector=self.query)
        self.vector = vector

    def count(self) -> int:
        return self.matching.count()

    @staticmethod
    def _standing_in(name: str):
        from django.db.models import F, Value
        from django.db.models.functions import Replace

        expression = F(name)
        for character, stand_in in _STAND_INS.items():
            expression = Replace(expression, Value(character), Value(stand_in))
        return expression

    @staticmethod
    def _given_back(text: str) -> str:
        for character, stand_in in _STAND_INS.items():
            text = text.replace(stand_in, character)
        return text

    def page(self, offset: int, limit: int) -> list[Match]:
        from django.contrib.postgres.search import SearchHeadline, SearchRank

        marks = {"start_sel": _START, "stop_sel": _STOP, "config": "english"}
        rows = (
            self.matching.annotate(
                rank=SearchRank(self.vector, self.query),
                title_marked=SearchHeadline(
                    self._standing_in("title"), self.query, highlight_all=True, **marks
                ),
                snippet=SearchHeadline(
                    self._standing_in("text"),
                    self.query,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                    **marks,
                ),
            )
            .order_by("-rank", "pk")
            .values_list("pk", "title_marked", "snippet")[offset : offset + limit]
        )
        return [
            Match(pk, self._given_back(title), self._given_back(snippet))
            for pk, title, snippet in rows
        ]


class _SqliteSearch:
    FTS = f"{SearchDocument._meta.db_table}_fts"

    def __init__(self, documents: QuerySet, terms: SearchTerms):
        # Every word quoted: a phrase of one word, so nothing typed is FTS5 syntax.
        self.match = " ".join(f'"{word}"' for word in terms.words)
        self.visible_sql, self.visible_params = documents.values("pk").query.sql_with_params()

    def _where(self) -> tuple[str, list]:
        return (
            f"{self.FTS} MATCH %s AND +rowid IN ({self.visible_sql})",
            [self.match, *self.visible_params],
        )

    def count(self) -> int:
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.FTS} WHERE {where}", params)
            return cursor.fetchone()[0]

    def page(self, offset: int, limit: int) -> list[Match]:
        where, params = self._where()
        fts = self.FTS
        # First the page's ids, best first: SQLite keeps every column of a sorted row, so
        # snippets asked for here would be made for every match, not just the page's.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {fts} WHERE {where} "
                f"ORDER BY bm25({fts}, %s, %s), rowid LIMIT %s OFFSET %s",
                [*params, _TITLE_WEIGHT, _TEXT_WEIGHT, limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return []
            cursor.execute(
                f"SELECT rowid, highlight({fts}, 0, %s, %s), "
                f"snippet({fts}, 1, %s, %s, ' … ', %s) "
                f"FROM {fts} WHERE {fts} MATCH %s AND rowid IN ({', '.join(['%s'] * len(ids))})",
                [_START, _STOP, _START, _STOP, SNIPPET_WORDS, self.match, *ids],
            )
            marked = {row[0]: row for row in cursor.fetchall()}
        return [Match(*marked[pk]) for pk in ids if pk in marked]


def _engine(documents: QuerySet, terms: SearchTerms):
    if connection.vendor == "postgresql":
        return _PostgresSearch(documents, terms)
    if connection.vendor == "sqlite":
        return _SqliteSearch(documents, terms)
    raise NotImplementedError(f"No full-text search for {connection.vendor}")


# --- results ------------------------------------------------------------------------------------


def marked(text: str) -> SafeString:
    """`text` escaped, with the database's match markers as <mark> (nothing else is markup)."""
    html = str(escape(text))
    return mark_safe(html.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def plan_page_url(name: str, pk: int | None) -> str:
    """A plan page's address ("plan:workstream", "plan:thread"), or "" with no page to name."""
    return reverse(name, kwargs={"pk": pk}) if pk is not None else ""


@dataclass(frozen=True)
class SearchResult:
    document: SearchDocument
    title: SafeString
    snippet: SafeString
    kind_label: str
    quarter: str
    url: str


def _url(document: SearchDocument) -> str:
    if document.url:
        return document.url
    if document.workstream_id:
        return plan_page_url("plan:workstream", document.workstream_id)
    if document.golden_thread_id:
        return plan_page_url("plan:thread", document.golden_thread_id)
    return ""


class SearchResults:
    """The matches of `terms` among `documents`, best first, a page at a time: a sequence for
    Django's Paginator (count(), then one slice), in a fixed number of queries."""

    def __init__(self, documents: QuerySet, terms: SearchTerms, cycle_labels: dict[int, str]):
        self.engine = _engine(documents, terms)
        self.cycle_labels = cycle_labels
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.engine.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[SearchResult]:
        if not isinstance(window, slice):
            raise TypeError("Search results are read a page (a slice) at a time")
        offset = window.start or 0
        if (window.stop or offset) <= offset:
            return []
        matches = self.engine.page(offset, (window.stop or offset) - offset)
        documents = SearchDocument.objects.in_bulk([m.document_id for m in matches])
        labels = {source.kind: source.label for source in search_sources()}
        results = []
        for match in matches:
            document = documents.get(match.document_id)
            if document is None:  # removed between the two queries
                continue
            results.append(
                SearchResult(
                    document=document,
                    title=marked(match.title or document.title),
                    snippet=marked(match.snippet or ""),
                    kind_label=labels.get(document.kind, document.kind),
                    quarter=self.cycle_labels.get(document.cycle_id, ""),
                    url=_url(document),
                )
            )
        return results


def cycle_labels(cycles: Iterable[ReportingCycle]) -> dict[int, str]:
    return {cycle.pk: cycle.label for cycle in cycles}
