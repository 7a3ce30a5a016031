"""Query plans with only some of a table's indexes. On test tables of a few rows the planner would pick anything, so
the tables' other indexes (none that backs a constraint) are dropped inside a transaction that is rolled back, and on
PostgreSQL the scans named in `off` are priced out: the plan then shows what the query allows, not what is cheapest
for three rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import connection, transaction


def plans_with_only(
    queries: Iterable[tuple[str, Sequence | None]],
    keep: Callable[[str], bool],
    *,
    tables: Sequence[str] = ("tickets_ticket",),
    off: Sequence[str] = ("seqscan",),
) -> list[str]:
    """The plan of each (sql, params), one line of text each, with only the indexes of `tables` that `keep` names."""
    postgresql = connection.vendor == "postgresql"
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            cursor.execute(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid::regclass::text = ANY(%s) "
                "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)",
                [list(tables)],
            )
        else:
            marks = ", ".join("%s" for _ in tables)
            cursor.execute(
                f"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) AND sql IS NOT NULL",  # noqa: S608 - placeholders only
                list(tables),
            )
        for (index,) in cursor.fetchall():
            if not keep(index):
                cursor.execute(f"DROP INDEX {index}")  # undone with the rollback
        if postgresql:
            for scan in off:
                cursor.execute(f"SET LOCAL enable_{scan} = off")
        explain = "EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN "
        for sql, params in queries:
            cursor.execute(explain + sql, params)
            plans.append(" ".join(str(row[-1]) for row in cursor.fetchall()))
        transaction.set_rollback(True)
    return plans
