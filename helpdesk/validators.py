"""Iranian identifiers: mobile numbers, national IDs (persons), legal national IDs and economic codes.

Each `normalize_*` returns the canonical form or raises ValidationError with a translated message;
each `validate_*` is usable as a model/form field validator.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .persian import clean_digits

MSG_MOBILE = _("Enter a valid Iranian mobile number, e.g. 09121234567.")
MSG_NATIONAL_ID = _("Enter a valid 10-digit national ID (کد ملی).")
MSG_LEGAL_ID = _("Enter a valid 11-digit legal national ID (شناسه ملی).")
MSG_ECONOMIC_CODE = _("Enter a valid economic code: 11 digits for a legal entity or 14 digits for a person.")

_MOBILE = re.compile(r"(?:\+98|0098|98|0)?(9[0-9]{9})")
_LEGAL_WEIGHTS = (29, 27, 23, 19, 17)


def normalize_mobile(value: str) -> str:
    """`+98 912 123 4567`, `0098…`, `98…`, `912…` or Persian digits → `09121234567`."""
    match = _MOBILE.fullmatch(clean_digits(value))
    if not match:
        raise ValidationError(MSG_MOBILE, code="invalid_mobile")
    return "0" + match.group(1)


def is_valid_national_id(code: str) -> bool:
    if not re.fullmatch(r"[0-9]{10}", code) or len(set(code)) == 1:
        return False
    remainder = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    check = remainder if remainder < 2 else 11 - remainder
    return int(code[9]) == check


def is_valid_legal_id(code: str) -> bool:
    if not re.fullmatch(r"[0-9]{11}", code) or len(set(code)) == 1:
        return False
    d = int(code[9]) + 2
    total = sum((int(code[i]) + d) * _LEGAL_WEIGHTS[i % 5] for i in range(10))
    remainder = total % 11
    return int(code[10]) == (0 if remainder == 10 else remainder)


def normalize_national_id(value: str) -> str:
    code = clean_digits(value)
    if not is_valid_national_id(code):
        raise ValidationError(MSG_NATIONAL_ID, code="invalid_national_id")
    return code


def normalize_legal_id(value: str) -> str:
    code = clean_digits(value)
    if not is_valid_legal_id(code):
        raise ValidationError(MSG_LEGAL_ID, code="invalid_legal_id")
    return code


def normalize_economic_code(value: str) -> str:
    """11 digits: a legal entity's code, equal to its legal national ID (same check). 14 digits: a person."""
    code = clean_digits(value)
    if len(code) == 11 and is_valid_legal_id(code):
        return code
    if re.fullmatch(r"[0-9]{14}", code):
        return code
    raise ValidationError(MSG_ECONOMIC_CODE, code="invalid_economic_code")


def validate_mobile(value: str) -> None:
    normalize_mobile(value)


def validate_national_id(value: str) -> None:
    normalize_national_id(value)


def validate_legal_id(value: str) -> None:
    normalize_legal_id(value)


def validate_economic_code(value: str) -> None:
    normalize_economic_code(value)
