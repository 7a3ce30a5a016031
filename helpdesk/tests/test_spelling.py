"""Persian spelling (issue #13): the half-space (ZWNJ) where Persian writes one, and one spelling of «جست‌وجو».

Checked over every Persian msgstr of our catalogues, every template and every demo text: «برچسب ها» / «فایل های»
(«ها»/«های» written as a separate word after a word), «می شود» / «نمی توان» («می»/«نمی» written apart from the
verb), and «جستجو». Third-party catalogues with these spellings are overridden in `locale/` (see
`helpdesk/django_catalogue.py`). A failure lists file, line and the words around the hit.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_i18n import FA_CATALOGUES, ROOT, _rel, _walk, parse_po

PERSIAN = "\u0600-\u06ff"
ZWNJ = "\u200c"
PLURAL_SUFFIXES = "ها|های|هایی|هایم|هایت|هایش|هایمان|هایتان|هایشان"

RULES: dict[str, re.Pattern[str]] = {
    "«ها»/«های» apart from its word (write «برچسب‌ها»)": re.compile(
        rf"[{PERSIAN}] (?:{PLURAL_SUFFIXES})(?![{PERSIAN}{ZWNJ}])"
    ),
    "«می»/«نمی» apart from the verb (write «می‌شود»)": re.compile(rf"(?<![{PERSIAN}{ZWNJ}])(?:می|نمی) (?=[{PERSIAN}])"),
    "«جستجو» (write «جست‌وجو»)": re.compile("جستجو"),
}


def problems(text: str) -> list[str]:
    """The rules `text` breaks, each with the words around the hit."""
    found = []
    for rule, pattern in RULES.items():
        for match in pattern.finditer(text):
            found.append(f"{rule}: …{text[max(0, match.start() - 20) : match.end() + 10]}…")
    return found


@pytest.mark.parametrize(
    "bad",
    ["برچسب ها", "فایل های پیوست", "این کار انجام می شود.", "نمی توان ذخیره کرد", "جستجو در پایگاه دانش"],
)
def test_the_rules_catch_the_usual_omissions(bad):
    assert problems(bad)


@pytest.mark.parametrize(
    "good",
    ["برچسب‌ها", "فایل‌های پیوست", "انجام می‌شود.", "نمی‌توان", "جست‌وجو", "هایدا", "ها", "همین‌ها", "ماهی شور"],
)
def test_the_rules_leave_correct_spelling_alone(good):
    assert not problems(good)


def _templates_and_demo_texts() -> list[Path]:
    files = []
    for folder in _walk(ROOT):
        if any(part in {".venv", "node_modules", ".git", ".run"} for part in folder.parts):
            continue
        for path in folder.iterdir():
            if not path.is_file():
                continue
            in_templates = "templates" in path.relative_to(ROOT).parts and path.suffix in {".html", ".txt"}
            if in_templates or path.name == "demo.py":
                files.append(path)
    return sorted(files)


TEXT_FILES = _templates_and_demo_texts()


def test_templates_and_demo_texts_are_found():
    names = {_rel(p) for p in TEXT_FILES}
    assert "tickets/templates/tickets/staff_ticket.html" in names and "knowledgebase/demo.py" in names


@pytest.mark.parametrize("po", FA_CATALOGUES, ids=[_rel(p) for p in FA_CATALOGUES])
def test_persian_catalogues_spell_with_the_half_space(po: Path):
    hits = []
    for entry in parse_po(po.read_text(encoding="utf-8")):
        if entry.is_header:
            continue
        for text in entry.msgstr.values():
            hits += [f"{entry.label()}: {problem}" for problem in problems(text)]
    assert not hits, f"{_rel(po)}:\n  " + "\n  ".join(hits)


@pytest.mark.parametrize("path", TEXT_FILES, ids=[_rel(p) for p in TEXT_FILES])
def test_templates_and_demo_texts_spell_with_the_half_space(path: Path):
    hits = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        hits += [f"line {number}: {problem}" for problem in problems(line)]
    assert not hits, f"{_rel(path)}:\n  " + "\n  ".join(hits)
