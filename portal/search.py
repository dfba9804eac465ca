"""Chinese full-text search shared by the catalog and the open-data portal.

Chinese text has no spaces between words, so text is segmented with jieba in *search
mode* (a long word also yields its shorter dictionary words: ``不动产登记信息`` →
``不动产 登记 信息 …``) and stored in a plain ``search_text`` column. On PostgreSQL the
same tokens feed a ``tsvector`` column (``search_vector``) with a GIN index, queried with
``to_tsquery('simple', …)`` and prefix matching; on SQLite the query falls back to
substring tests on ``search_text`` (good enough for development and tests).

Use it in three steps:

1. the model inherits :class:`SearchableModel` and implements ``search_document()``
   returning the texts to index (name, summary, the department's name and short name …);
2. the first migration that creates the table adds :func:`gin_index_operation` (a no-op
   outside PostgreSQL);
3. services call :func:`search_index_update` after saving, and selectors call
   :func:`search_filter` with the user's query.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.migrations.operations.base import Operation

_TOKEN = re.compile(r"\w+", re.UNICODE)
_jieba_lock = threading.Lock()
_jieba = None

# Domain words jieba's general dictionary does not know (or splits wrongly); each keeps
# its parts findable because search mode also emits the shorter dictionary words.
DOMAIN_WORDS = (
    "不动产", "不动产登记", "统一社会信用代码", "法定代表人", "身份证号码", "营业执照",
    "电子证照", "社会信用", "信息资源", "信息项", "医疗机构", "执业许可", "户籍",
    "前置机", "联机查询", "行政权力", "权力编码", "项目编码", "信息属地",
)


def _segmenter():
    """jieba, loaded once per process (loading the dictionary takes about a second)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                for word in DOMAIN_WORDS:
                    jieba.add_word(word)
                _jieba = jieba
    return _jieba


def tokens_for_document(texts: Iterable[str | None]) -> list[str]:
    """The distinct search tokens of ``texts``, in order of first appearance."""
    jieba = _segmenter()
    seen: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for piece in jieba.cut_for_search(str(text).lower()):
            for token in _TOKEN.findall(piece):
                seen.setdefault(token, None)
    return list(seen)


def tokens_for_query(query: str) -> list[str]:
    """The tokens a query must all match (precise mode: the longest dictionary words)."""
    jieba = _segmenter()
    seen: dict[str, None] = {}
    for piece in jieba.cut(str(query).lower()):
        for token in _TOKEN.findall(piece):
            seen.setdefault(token, None)
    return list(seen)


def segment(texts: Iterable[str | None]) -> str:
    """The value stored in ``search_text``: search-mode tokens separated by spaces."""
    return " ".join(tokens_for_document(texts))


class SearchableModel(models.Model):
    """Adds the two search columns; subclasses say what to index in ``search_document``."""

    search_text = models.TextField(default="", blank=True, editable=False)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    # Keep the derived columns out of simple-history tables.
    SEARCH_FIELDS = ("search_text", "search_vector")

    def search_document(self) -> Sequence[str | None]:  # pragma: no cover - abstract
        raise NotImplementedError


def _is_postgres(using: str | None = None) -> bool:
    from django.db import connections

    return (connections[using] if using else connection).vendor == "postgresql"


def search_index_update(objects: Iterable[SearchableModel]) -> int:
    """Recompute the search columns of ``objects`` (a queryset or model instances).

    Writes with ``update()`` (these columns are derived, so no history is wanted).
    Returns the number of rows updated.
    """
    count = 0
    for obj in objects:
        text = segment(obj.search_document())
        manager = type(obj)._default_manager
        rows = manager.filter(pk=obj.pk)
        rows.update(search_text=text)
        if _is_postgres(rows.db):
            _update_vectors(type(obj), [obj.pk])
        obj.search_text = text
        count += 1
    return count


def _update_vectors(model: type[models.Model], pks: Sequence) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET search_vector = to_tsvector('simple', search_text) "  # noqa: S608
            f"WHERE {pk} = ANY(%s)",
            [list(pks)],
        )


def search_vectors_update(model: type[models.Model], pks: Sequence) -> None:
    """Refresh ``search_vector`` from ``search_text`` for ``pks`` (after a bulk write that
    set ``search_text`` with :func:`segment`); nothing to do outside PostgreSQL."""
    if pks and _is_postgres():
        _update_vectors(model, pks)


def search_vectors_rebuild(model: type[models.Model]) -> None:
    """Refresh every ``search_vector`` from ``search_text`` in one statement (PostgreSQL)."""
    if not _is_postgres():
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET search_vector = to_tsvector('simple', search_text)"  # noqa: S608
        )


def _tsquery(tokens: Sequence[str]) -> str:
    # Tokens are \w+ only, so they need no quoting inside a tsquery.
    return " & ".join(f"{token}:*" for token in tokens)


def search_filter(queryset: models.QuerySet, query: str | None, *, rank: bool = False):
    """``queryset`` narrowed to rows matching every token of ``query``.

    With ``rank=True`` on PostgreSQL the rows are annotated with ``search_rank`` (for
    ordering by relevance). An empty query returns ``queryset`` unchanged.
    """
    tokens = tokens_for_query(query or "")
    if not tokens:
        return queryset
    if _is_postgres(queryset.db):
        search_query = SearchQuery(_tsquery(tokens), search_type="raw", config="simple")
        queryset = queryset.filter(search_vector=search_query)
        if rank:
            # F(), not the bare name: a name is wrapped in to_tsvector(search_vector::text),
            # which re-parses every matching row's vector.
            queryset = queryset.annotate(
                search_rank=SearchRank(models.F("search_vector"), search_query))
        return queryset
    for token in tokens:
        queryset = queryset.filter(search_text__contains=token)
    return queryset


class GinIndexOperation(Operation):
    """Create (or drop) a GIN index on ``search_vector``, on PostgreSQL only.

    A migration operation rather than ``Meta.indexes`` so the same migrations run
    unchanged on SQLite.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, index_name: str):
        self.model_name = model_name
        self.index_name = index_name

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state_apps):
        return state_apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self._table(app_label, to_state.apps))
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(self.index_name)} "
            f"ON {table} USING gin (search_vector)"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.index_name)}")

    def describe(self):
        return f"GIN search index {self.index_name} on {self.model_name} (PostgreSQL only)"

    def deconstruct(self):
        return (
            "portal.search.GinIndexOperation",
            [],
            {"model_name": self.model_name, "index_name": self.index_name},
        )


def gin_index_operation(model_name: str, index_name: str) -> GinIndexOperation:
    return GinIndexOperation(model_name, index_name)
