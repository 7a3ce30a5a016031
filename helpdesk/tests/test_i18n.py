"""Translation checks: every Persian catalogue is complete, and no translatable string escapes a catalogue.

(a) each `fa` catalogue (`locale/` and `<app>/locale/`) has no empty msgstr and no fuzzy entry, and compiles;
(b) Django's own `makemessages` run on a temporary copy of the sources finds no msgid that the committed
    catalogue for those sources lacks (a failure lists the missing msgids per catalogue);
(c) Persian is the default language and English has a catalogue.

To fix a failure: `cd <app> && ../.venv/bin/django-admin makemessages -l fa -l en --no-obsolete` (or from the
repository root for `locale/`), then fill in every Persian msgstr and remove `#, fuzzy`.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from conftest import service_unavailable

ROOT = Path(settings.BASE_DIR)
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # what makemessages reads for the "django" domain
# Not our sources: the virtualenv, vendored and collected static files, uploads, build and VCS folders.
SKIP_DIRS = {"node_modules", "static", "staticfiles", "media", "__pycache__", "htmlcov", "build", "dist"}


# A tiny .po reader -------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    def label(self) -> str:
        if self.is_header:
            return f"the header entry (line {self.line})"
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"{context}{self.msgid!r} (line {self.line})"


def parse_po(text: str) -> list[Entry]:
    """Entries of a PO file; obsolete (`#~`) entries are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # which field continuation lines ("...") extend

    def finish() -> None:
        nonlocal entry, target
        if entry is not None and (entry.msgid or entry.msgstr or entry.msgctxt is not None):
            entries.append(entry)
        entry, target = None, None

    def put(name: str, index: int, value: str) -> None:
        assert entry is not None
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if target is not None and target[0] == "msgstr":  # a comment after msgstr starts the next entry
                finish()
            entry = entry or Entry(line=number)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"line {number}: string outside an entry")
            put(target[0], target[1], ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
            finish()  # entries not separated by a blank line
        entry = entry or Entry(line=number)
        if keyword.startswith("msgstr["):
            name, index = "msgstr", int(keyword[7:-1])
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            name, index = keyword, 0
        else:
            raise ValueError(f"line {number}: unexpected {keyword!r}")
        if name == "msgid":
            entry.line = number
        target = (name, index)
        put(name, index, ast.literal_eval(rest.strip()))
    finish()
    return entries


def test_parser_reads_contexts_plurals_flags_and_continuations():
    text = (
        '# header\nmsgid ""\nmsgstr ""\n"Language: fa\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "Hello %(name)s"\nmsgstr "سلام"\n\n'
        'msgctxt "menu"\nmsgid ""\n"Open "\n"\\"it\\""\nmsgstr "باز"\n\n'
        'msgid "one file"\nmsgid_plural "%(n)s files"\nmsgstr[0] "یک پرونده"\nmsgstr[1] ""\n\n'
        '#~ msgid "old"\n#~ msgstr "قدیمی"\n'
    )
    header, hello, menu, files = parse_po(text)
    assert header.is_header and header.msgstr[0] == "Language: fa\n"
    assert hello.flags == {"fuzzy", "python-format"} and hello.msgstr[0] == "سلام"
    assert menu.key == ("menu", 'Open "it"') and menu.msgstr == {0: "باز"}
    assert files.msgid_plural == "%(n)s files" and files.msgstr == {0: "یک پرونده", 1: ""}
    assert len(parse_po(text)) == 4  # the obsolete entry is not counted


# Finding catalogues and sources --------------------------------------------------------------------


def _skipped(path: Path) -> bool:
    return path.name.startswith(".") or path.name in SKIP_DIRS


def _walk(root: Path):
    """Directories under root (top-down), without hidden, vendored and generated folders."""
    stack = [root]
    while stack:
        folder = stack.pop()
        yield folder
        stack.extend(sorted((p for p in folder.iterdir() if p.is_dir() and not _skipped(p)), reverse=True))


def locale_dirs(root: Path = ROOT) -> list[Path]:
    return [folder for folder in _walk(root) if folder.name == "locale"]


def catalogues(language: str, root: Path = ROOT) -> list[Path]:
    return sorted(
        po for folder in locale_dirs(root) for po in (folder / language / "LC_MESSAGES").glob("*.po") if po.is_file()
    )


def _rel(path: Path, root: Path = ROOT) -> str:
    return str(path.relative_to(root))


FA_CATALOGUES = catalogues("fa")


# (a) Persian catalogues are complete ---------------------------------------------------------------


def test_there_is_a_persian_catalogue():
    assert (ROOT / "locale" / "fa" / "LC_MESSAGES" / "django.po").is_file()


@pytest.mark.parametrize("po", FA_CATALOGUES, ids=[_rel(p) for p in FA_CATALOGUES])
def test_persian_catalogue_has_no_empty_or_fuzzy_entry(po):
    entries = parse_po(po.read_text(encoding="utf-8"))
    fuzzy = [e.label() for e in entries if "fuzzy" in e.flags]
    empty = [e.label() for e in entries if not e.is_header and (not e.msgstr or not all(e.msgstr.values()))]
    problems = []
    if fuzzy:
        problems.append("fuzzy (check the translation, then remove '#, fuzzy'):\n  " + "\n  ".join(fuzzy))
    if empty:
        problems.append("untranslated (empty msgstr):\n  " + "\n  ".join(empty))
    assert not problems, f"{_rel(po)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po", FA_CATALOGUES, ids=[_rel(p) for p in FA_CATALOGUES])
def test_persian_catalogue_compiles_with_matching_placeholders(po, tmp_path):
    if not shutil.which("msgfmt"):
        service_unavailable("msgfmt (GNU gettext) is not installed: apt-get install gettext")
    # --check verifies the header and that every python-format msgstr uses the msgid's placeholders.
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{_rel(po)} does not compile:\n{result.stderr}"


# (b) No translatable string escapes ------------------------------------------------------------------


def _copy_sources(source: Path, target: Path) -> None:
    """The files makemessages reads, with every `locale` folder present but empty (so it routes each
    source file to the same catalogue as in the repository, and finds nothing already there)."""
    for folder in _walk(source):
        relative = folder.relative_to(source)
        if folder.name == "locale":
            (target / relative).mkdir(parents=True, exist_ok=True)
            continue
        if any(part == "locale" for part in relative.parts):
            continue
        for file in folder.iterdir():
            if file.is_file() and file.suffix in SOURCE_SUFFIXES:
                (target / relative).mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target / relative / file.name)


def extract_messages(root: Path, workdir: Path) -> dict[str, set[tuple[str | None, str]]]:
    """{catalogue path relative to root: the msgids makemessages -l fa puts there}, run on a copy of root."""
    copy = workdir / "tree"
    _copy_sources(root, copy)
    (copy / "locale").mkdir(exist_ok=True)  # LOCALE_PATHS: sources outside the apps' own locales go here
    # makemessages works on the current directory; MonkeyPatch restores it whatever happens.
    with override_settings(LOCALE_PATHS=[str(copy / "locale")]), pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        call_command("makemessages", locale=["fa"], domain="django", verbosity=0, no_obsolete=True)
    found: dict[str, set[tuple[str | None, str]]] = {}
    for po in catalogues("fa", copy):
        keys = {e.key for e in parse_po(po.read_text(encoding="utf-8")) if not e.is_header}
        if keys:
            found[_rel(po, copy)] = keys
    return found


def missing_msgids(root: Path, workdir: Path) -> dict[str, list[str]]:
    """{catalogue: msgids the sources need but the committed catalogue lacks}."""
    missing: dict[str, list[str]] = {}
    for relative, needed in extract_messages(root, workdir).items():
        committed = root / relative
        have = {e.key for e in parse_po(committed.read_text(encoding="utf-8"))} if committed.is_file() else set()
        lacking = sorted(needed - have, key=lambda key: (key[0] or "", key[1]))
        if lacking:
            missing[relative] = [(f"[{ctx}] " if ctx is not None else "") + repr(msgid) for ctx, msgid in lacking]
    return missing


def _require_gettext() -> None:
    lacking = [tool for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib") if not shutil.which(tool)]
    if lacking:
        service_unavailable(f"GNU gettext tools not installed ({', '.join(lacking)}): apt-get install gettext")


def test_no_translatable_string_escapes_the_catalogues(tmp_path):
    _require_gettext()
    missing = missing_msgids(ROOT, tmp_path)
    report = "\n".join(
        f"{catalogue} lacks {len(ids)} msgid(s):\n  " + "\n  ".join(ids) for catalogue, ids in sorted(missing.items())
    )
    assert not missing, (
        "Strings marked for translation are missing from the committed Persian catalogues. Run makemessages "
        "(-l fa -l en --no-obsolete) for the app and translate them:\n" + report
    )


def test_the_escape_check_catches_a_new_string(tmp_path):
    """The check above can fail: a miniature project with one translated and one new string."""
    _require_gettext()
    project = tmp_path / "project"
    (project / "app" / "locale" / "fa" / "LC_MESSAGES").mkdir(parents=True)
    (project / "app" / "templates").mkdir()
    (project / "locale" / "fa" / "LC_MESSAGES").mkdir(parents=True)
    (project / "app" / "views.py").write_text(
        "from django.utils.translation import gettext_lazy as _, pgettext_lazy\n"
        'A = _("Known")\nB = _("Brand new")\nC = pgettext_lazy("verb", "Open")\n',
        encoding="utf-8",
    )
    (project / "app" / "templates" / "page.html").write_text(
        '{% load i18n %}{% translate "From a template" %}', encoding="utf-8"
    )
    (project / "app" / "locale" / "fa" / "LC_MESSAGES" / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Known"\nmsgstr "شناخته"\n\nmsgctxt "verb"\nmsgid "Open"\nmsgstr "باز کن"\n',
        encoding="utf-8",
    )
    (project / "site.py").write_text('from django.utils.translation import gettext as _\nT = _("Root")\n')
    (project / "static").mkdir()
    (project / "static" / "vendor.html").write_text('{% translate "Vendored" %}')

    missing = missing_msgids(project, tmp_path / "work")

    assert missing == {
        "app/locale/fa/LC_MESSAGES/django.po": ["'Brand new'", "'From a template'"],
        "locale/fa/LC_MESSAGES/django.po": ["'Root'"],
    }


# (c) Languages ---------------------------------------------------------------------------------------


def test_persian_is_the_default_and_english_the_second_language():
    assert settings.LANGUAGE_CODE == "fa"
    assert [code for code, _name in settings.LANGUAGES] == ["fa", "en"]
    assert settings.USE_I18N


def test_english_catalogue_exists():
    paths = [Path(p) / "en" / "LC_MESSAGES" / "django.po" for p in settings.LOCALE_PATHS]
    assert any(p.is_file() for p in paths), f"no English catalogue at {', '.join(map(str, paths))}"
