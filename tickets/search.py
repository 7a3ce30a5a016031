"""The keyword index over `Ticket.search_document` and the one expression that matches against it.

`search_document` already holds the normalised text (`helpdesk.persian.normalize`, applied by the services);
`tickets.filters.search_terms` normalises what was typed the same way. Each database indexes that text once:

- PostgreSQL: the stored generated column `tickets_ticket.search_vector`
  (`to_tsvector('simple', search_document)`, computed by PostgreSQL on every write) with a GIN index. Queries read
  the column, never recompute `to_tsvector` per row. A second GIN index holds only the tickets that need work
  (migration 0009_search_active_index, predicate `status IN ACTIVE_STATUSES`): the probe of the queue's default
  view reads it, so a word common among closed tickets but absent from open ones costs nothing to rule out.
- SQLite: the FTS5 table `tickets_ticket_fts` (external content: `tickets_ticket.search_document`), kept in step
  by triggers on insert, update of the text and delete — whatever writes the row (services, admin, bulk updates).

Both match every term as a word prefix. `matching_ids` asks the index for a bounded number of matches (a rare
word: all of them); `SearchMatch(terms, indexed=False)` tests each row (the stored vector, or the text), for a walk
along the queue's sort index (a common word: the first page is found after a few rows). See
`tickets.filters.search_tickets` for the choice.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections
from django.db.models import BooleanField, Expression, F, IntegerField, Q, QuerySet
from django.db.models.expressions import Col

# Every name put into SQL below (tables, triggers, columns, aliases) is a constant of this module or quoted by
# Django; what a person typed only ever travels as a parameter (`%s`). Hence the `noqa: S608`.

VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ticket_search_vector_gin"
FTS_TABLE = "tickets_ticket_fts"

# PostgreSQL (migration 0007_search_index): the column PostgreSQL keeps equal to to_tsvector(search_document).
POSTGRES_INSTALL = [
    f"ALTER TABLE tickets_ticket ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_document)) STORED",
    f"CREATE INDEX IF NOT EXISTS {VECTOR_INDEX} ON tickets_ticket USING gin ({VECTOR_COLUMN})",
    "DROP INDEX IF EXISTS ticket_search_document_gin",  # the expression index of migration 0002
]
POSTGRES_UNINSTALL = [
    "CREATE INDEX IF NOT EXISTS ticket_search_document_gin ON tickets_ticket "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_document, '')))",
    f"DROP INDEX IF EXISTS {VECTOR_INDEX}",
    f"ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS {VECTOR_COLUMN}",
]

# SQLite: `remove_diacritics 0` because the text is already folded (and PostgreSQL's 'simple' keeps accents).
_FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_document, content='tickets_ticket', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
)
_FTS_DELETE_OLD = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document) VALUES ('delete', old.id, old.search_document);"  # noqa: S608
)
_FTS_INSERT_NEW = f"INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document);"  # noqa: S608
_FTS_TRIGGERS = {
    f"{FTS_TABLE}_insert": f"AFTER INSERT ON tickets_ticket BEGIN {_FTS_INSERT_NEW} END",
    f"{FTS_TABLE}_update": (
        "AFTER UPDATE OF search_document ON tickets_ticket "
        f"WHEN old.search_document IS NOT new.search_document BEGIN {_FTS_DELETE_OLD} {_FTS_INSERT_NEW} END"
    ),
    f"{FTS_TABLE}_delete": f"AFTER DELETE ON tickets_ticket BEGIN {_FTS_DELETE_OLD} END",
}


def _sqlite_present(cursor) -> set[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE (type = 'table' AND name = %s) OR (type = 'trigger' AND name IN "  # noqa: S608
        f"({', '.join(['%s'] * len(_FTS_TRIGGERS))}))",
        [FTS_TABLE, *_FTS_TRIGGERS],
    )
    return {row[0] for row in cursor.fetchall()}


def sqlite_install(connection) -> bool:
    """Create the FTS5 table and its triggers where missing and, if anything was missing, index every ticket
    again from its row. Returns whether it re-indexed. Migration 0007_search_index installs with it."""
    with connection.cursor() as cursor:
        if _sqlite_present(cursor) >= {FTS_TABLE, *_FTS_TRIGGERS}:
            return False
        cursor.execute(_FTS_CREATE)
        for name, body in _FTS_TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
    return True


def sqlite_repair(sender=None, *, using: str = DEFAULT_DB_ALIAS, **kwargs) -> bool:
    """After every `migrate` (post_migrate, `apps.TicketsConfig`): where the FTS5 table is installed, put back
    triggers that went missing and re-index. Django's SQLite schema editor alters a table by rebuilding it, and
    the rebuilt `tickets_ticket` has lost its triggers. Nothing before the migration or after reversing it."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        if FTS_TABLE not in _sqlite_present(cursor):
            return False
    return sqlite_install(connection)


def sqlite_uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for name in _FTS_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def tsquery(terms: list[str]) -> str:
    """PostgreSQL: a raw tsquery matching every term as a prefix: `'کتاب':* & '123':*`.

    Terms hold only letters, digits and `@ . + -` (see `tickets.filters.search_terms`), so no quote, backslash or
    operator typed by a person reaches `to_tsquery`; inside the quotes PostgreSQL's parser splits a term exactly as
    it split the document (an email stays one token, «a-b» becomes a phrase).
    """
    return " & ".join(f"'{term}':*" for term in terms)


def fts_query(terms: list[str]) -> str:
    """SQLite: an FTS5 query matching every term as a prefix: `"کتاب"* AND "123"*`.

    Each term is a quoted string (FTS5 splits it into a phrase exactly as it split the document, so «zx-900» is
    the phrase «zx 900»); terms hold no double quote, so nothing typed becomes an FTS5 operator.
    """
    return " AND ".join(f'"{term}"*' for term in terms)


# FTS5's unicode61 tokenizer: a token is a run of letters and digits (categories L* and N*); everything else,
# the underscore included, separates tokens.
_TOKEN = re.compile(r"[^\W_]+")


def word_prefix_regex(term: str) -> str:
    """SQLite, row by row: a regular expression true exactly where `fts_query([term])` matches — the term's tokens
    as consecutive words of the text, the last one as a prefix («zx-90» → `(?<![^\\W_])zx[\\W_]+90`)."""
    return r"(?<![^\W_])" + r"[\W_]+".join(re.escape(token) for token in _TOKEN.findall(term))


class _FtsRowid(Expression):
    """SQLite: the rowid of the FTS5 row that `matching_ids`' outer query stands on (a correlated reference)."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        return f"{FTS_TABLE}.rowid", ()


def matching_ids(queryset: QuerySet, terms: list[str], *, also: Q | None = None, limit: int) -> list[int]:
    """Ids of the tickets of `queryset` whose text has every term as a word prefix, or that match `also` (the
    typed reference), found through the index; unordered, all of them if there are fewer than `limit`, else at
    least `limit` (and at most `limit` + 1).

    PostgreSQL: one query under `LIMIT`, `@@` on the GIN column. SQLite: the FTS5 table drives the query and each
    match is looked up in `queryset` by rowid (a correlated EXISTS), so it stops after `limit` matches instead of
    collecting every match of a common word first, as `id IN (SELECT rowid … MATCH …)` does. FTS5 refuses a MATCH
    under an OR, so `also` is a UNION ALL arm of its own, put first, and a ticket found by both is counted once.
    """
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        match = Q(SearchMatch(terms))
        if also is not None:
            match |= also
        return list(queryset.filter(match).order_by().values_list("pk", flat=True)[:limit])
    if connection.vendor != "sqlite":
        raise NotSupportedError("Keyword search needs PostgreSQL or SQLite")

    def compiled(qs: QuerySet) -> tuple[str, tuple]:
        sql, params = qs.order_by().values("pk").query.get_compiler(using=queryset.db).as_sql()
        return sql, tuple(params)

    inner, params = compiled(queryset.filter(pk=_FtsRowid()))
    sql = f"SELECT {FTS_TABLE}.rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND EXISTS ({inner})"  # noqa: S608
    params = (fts_query(terms), *params)
    if also is not None:
        also_sql, also_params = compiled(queryset.filter(also))
        sql = f"SELECT * FROM ({also_sql}) UNION ALL SELECT * FROM ({sql})"  # noqa: S608
        params = (*also_params, *params)
        limit += 1  # the one duplicate there can be
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", (*params, limit))
        return list(dict.fromkeys(row[0] for row in cursor.fetchall()))


class SearchMatch(Expression):
    """True for the tickets whose search text contains every term (as a word prefix).

    `indexed=True` (PostgreSQL, `matching_ids`): the GIN index finds the matches. `indexed=False`: the same test
    on each row the query visits anyway (PostgreSQL `ts_match_vq` on the stored vector, which no index serves;
    SQLite `word_prefix_regex` on the row's text), so the database walks the sort index and stops at the page.
    SQLite reads its FTS5 index only in `matching_ids`, which drives the query from it.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, terms: list[str], *, indexed: bool = True) -> None:
        super().__init__()
        self.terms = list(terms)
        self.indexed = indexed
        self.pk: Any = F("pk")

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def _alias(self, compiler) -> str:
        """The ticket table's alias as quoted in this query."""
        pk = self.pk
        if not isinstance(pk, Col):
            raise TypeError("SearchMatch filters tickets: resolve it against a Ticket queryset")
        return compiler.quote_name_unless_alias(pk.alias)

    def as_postgresql(self, compiler, connection, **extra_context):
        alias = self._alias(compiler)
        vector = f"{alias}.{connection.ops.quote_name(VECTOR_COLUMN)}"
        query = "to_tsquery('simple'::regconfig, %s)"
        sql = f"{vector} @@ {query}" if self.indexed else f"ts_match_vq({vector}, {query})"
        return sql, (tsquery(self.terms),)

    def as_sqlite(self, compiler, connection, **extra_context):
        if self.indexed:
            raise NotSupportedError("SQLite reads the FTS5 index through tickets.search.matching_ids")
        alias = self._alias(compiler)
        # Row by row, FTS5 would rebuild a prefix's whole list of matches for every row; a regular expression
        # with the tokenizer's rule (Django's REGEXP function on SQLite) tests the row's own text instead, after
        # `instr` (in C) has skipped the rows that don't even contain the term's words.
        text = f"{alias}.{connection.ops.quote_name('search_document')}"
        parts, params = [], []
        for term in self.terms:
            tokens = _TOKEN.findall(term)
            parts += [f"instr({text}, %s) > 0"] * len(tokens) + [f"{text} REGEXP %s"]
            params += [*tokens, word_prefix_regex(term)]
        return " AND ".join(parts), tuple(params)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("Keyword search needs PostgreSQL or SQLite")
