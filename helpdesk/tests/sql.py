"""Reading captured SQL in tests (`django.test.utils.CaptureQueriesContext`)."""

import re

_UPDATE = re.compile(r'^UPDATE "(?P<table>\w+)" SET (?P<set>.*?) WHERE ', re.DOTALL)
_COLUMN = re.compile(r'"(\w+)" = ')


def updated_columns(ctx, table: str) -> list[set[str]]:
    """The columns each captured UPDATE of `table` wrote, in order."""
    found = []
    for query in ctx.captured_queries:
        match = _UPDATE.match(query["sql"])
        if match and match["table"] == table:
            found.append(set(_COLUMN.findall(match["set"])))
    return found
