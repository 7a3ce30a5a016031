"""Persian text helpers used by every app: digit conversion and the search normaliser."""

import re

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

_TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, LATIN_DIGITS * 2)
_TO_PERSIAN = str.maketrans(LATIN_DIGITS + ARABIC_DIGITS, PERSIAN_DIGITS * 2)

# Letter variants that a person types interchangeably; search treats each pair as one letter.
_LETTERS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "آ": "ا",
        "ؤ": "و",
    }
)
# Tatweel, Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef) and bidi/format marks.
_STRIP = re.compile("[\u0640\u064b-\u065f\u0670\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# ZWNJ and ZWJ split a word visually only; for matching they count as a space.
_JOINERS = re.compile("[\u200c\u200d]")
_SPACES = re.compile(r"\s+")


def to_latin_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII digits; everything else unchanged."""
    return text.translate(_TO_LATIN)


def to_persian_digits(text: str) -> str:
    """ASCII and Arabic-Indic digits to Persian digits; everything else unchanged."""
    return str(text).translate(_TO_PERSIAN)


def normalize(text: str) -> str:
    """The form of a text that search and matching compare: one letter per variant, Latin digits,
    no diacritics or tatweel, ZWNJ as a space, lower case, single spaces."""
    if not text:
        return ""
    text = _STRIP.sub("", text)
    text = text.translate(_LETTERS).translate(_TO_LATIN)
    text = _JOINERS.sub(" ", text)
    return _SPACES.sub(" ", text).strip().lower()


_SEPARATORS = re.compile("[,\u066c\u060c\\s_]")  # , ٬ ، and spaces used as thousands separators


def parse_int(text: str) -> int:
    """Parse an integer typed with any digits and thousands separators («۱٬۵۰۰٬۰۰۰» → 1500000).

    Raises ValueError on anything else (including decimals and empty input).
    """
    cleaned = _SEPARATORS.sub("", to_latin_digits(str(text))).replace("\u2212", "-")
    if not re.fullmatch(r"-?\d+", cleaned):
        raise ValueError(text)
    return int(cleaned)
