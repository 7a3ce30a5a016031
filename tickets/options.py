"""The `<option>` HTML of the queue's and the ticket page's lists, built in Python (hundreds of options a page) and
kept once a process where a list only changes with its version. The template tags (`tickets_ui`) and the views use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape as _escape

from django.utils.translation import get_language


def escape(value) -> str:
    """HTML-escape like `conditional_escape`, without its lazy-string wrapper (this runs hundreds of times a
    page): safe strings pass through, everything else is escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value), quote=True)


def options_html(choices: Iterable, chosen: set[str]) -> str:
    parts = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            parts.append(f'<optgroup label="{escape(value)}">{options_html(label, chosen)}</optgroup>')
        else:
            value = "" if value is None else str(value)
            selected = " selected" if value in chosen else ""
            parts.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    return "".join(parts)


@dataclass(frozen=True)
class Options:
    """The `<option>`s of a list, nothing selected, built once by `cached_options`; `tk_select` marks the chosen."""

    html: str

    def choosing(self, chosen: set[str]) -> str:
        html = self.html
        for value in chosen:  # a list's values are unique: one option each
            option = f'<option value="{escape(value)}">'
            html = html.replace(option, f"{option[:-1]} selected>", 1)
        return html


# (list name, language) → (version, options): one entry a list and language, replaced when the version changes.
_OPTIONS: dict[tuple[str, str | None], tuple[str, Options]] = {}


def cached_options(name: str, version: str, choices: Iterable) -> Options:
    """The option HTML of `choices`, built once a process for each list `name` and language until `version`
    changes (the queue's choice lists carry one, `selectors.QueueChoices`; a fixed list passes a constant)."""
    key = (name, get_language())
    entry = _OPTIONS.get(key)
    if entry is None or entry[0] != version:
        entry = (version, Options(options_html(choices, set())))
        _OPTIONS[key] = entry
    return entry[1]
