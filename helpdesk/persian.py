"""Persian text helpers used by every app: digit conversion, reading typed numbers and codes, and the search
normaliser. Showing values in the active language's digits is `helpdesk.l10n`."""

import re
import unicodedata

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

# Persian punctuation for numbers: «٬» groups thousands, «٫» separates decimals.
PERSIAN_THOUSANDS_SEPARATOR = "\u066c"
PERSIAN_DECIMAL_SEPARATOR = "\u066b"

_TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, LATIN_DIGITS * 2)
_TO_PERSIAN = str.maketrans(LATIN_DIGITS + ARABIC_DIGITS, PERSIAN_DIGITS * 2)

# Letter variants that a person types interchangeably; search treats each pair as one letter.
_LETTERS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ڪ": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ھ": "ه",
        "ہ": "ه",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "آ": "ا",
        "ؤ": "و",
    }
)
# Tatweel, Arabic diacritics (harakat, tanwin, shadda, sukun, hamza above/below, superscript alef) and
# bidi/format marks.
_STRIP = re.compile("[\u0640\u064b-\u065f\u0670\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# ZWNJ and ZWJ split a word visually only; for matching they count as a space.
_JOINERS = re.compile("[\u200c\u200d]")
_SPACES = re.compile(r"\s+")


def to_latin_digits(text: object) -> str:
    """Persian and Arabic-Indic digits to ASCII digits; everything else unchanged."""
    return str(text).translate(_TO_LATIN)


def to_persian_digits(text: object) -> str:
    """ASCII and Arabic-Indic digits to Persian digits; everything else unchanged."""
    return str(text).translate(_TO_PERSIAN)


def normalize(text: str) -> str:
    """The form of a text that search and matching compare: one letter per variant, Latin digits,
    no diacritics or tatweel, ZWNJ as a space, lower case, single spaces.

    NFKC first folds Arabic presentation forms (text copied from PDFs: «ﻻ», «ﮐ») and full-width
    characters into ordinary letters and digits.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = _STRIP.sub("", text)
    text = text.translate(_LETTERS).translate(_TO_LATIN)
    text = _JOINERS.sub(" ", text)
    return _SPACES.sub(" ", text).strip().lower()


# Thousands separators a person may type: «,» «٬» (Persian) «،» (Arabic comma), «_» and «'»; and spaces.
_THOUSANDS = ",\u066c\u060c_'"
_INTEGER = re.compile(rf"([+-]?)([0-9]+|[0-9]{{1,3}}(?:[{_THOUSANDS} \u00a0\u202f\u2009][0-9]{{3}})+)")
# What people type between the digits of a number or code: spaces of any kind, ASCII and Unicode dashes and the
# minus sign, brackets, dots, and the joiners and bidi marks that ride along when text is copied.
_NOISE = "\\s\\-\u2010-\u2015\u2212().\u200c-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_NOISE_RE = re.compile(f"[{_NOISE}]")
_NOISE_AND_THOUSANDS_RE = re.compile(f"[{_NOISE}{_THOUSANDS}]")


def clean_digits(text: object, *, separators: bool = False) -> str:
    """What a person typed as a number or code, in Latin digits without the marks typed between the digits:
    «۰۹۱۲-۱۲۳ ۴۵۶۷» → «09121234567», «(٠٢١) ٨٨٧٧» → «0218877». Spaces, dashes, brackets, dots, joiners and bidi
    marks go; `separators=True` also removes thousands separators («,» «٬» «،» «_» «'»). Letters and other signs
    stay, so the caller's check still refuses them. None is "".
    """
    pattern = _NOISE_AND_THOUSANDS_RE if separators else _NOISE_RE
    return pattern.sub("", to_latin_digits("" if text is None else text))


def parse_int(text: object) -> int:
    """Parse an integer typed with any digits and thousands separators («۱٬۵۰۰٬۰۰۰» → 1500000).

    Separators must group thousands (so «12,5», which may mean a decimal, is rejected rather than
    read as 125). Raises ValueError on anything else, including decimals, letters and empty input.
    """
    match = _INTEGER.fullmatch(to_latin_digits(text).strip().replace("\u2212", "-"))
    if not match:
        raise ValueError(f"not an integer: {text!r}")
    sign, number = match.groups()
    return int(sign + clean_digits(number, separators=True))
