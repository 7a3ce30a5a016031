import pytest
from django.core.exceptions import ValidationError

from helpdesk.validators import (
    MSG_ECONOMIC_CODE,
    MSG_LEGAL_ID,
    MSG_MOBILE,
    MSG_NATIONAL_ID,
    is_valid_legal_id,
    is_valid_national_id,
    normalize_economic_code,
    normalize_legal_id,
    normalize_mobile,
    normalize_national_id,
    validate_economic_code,
    validate_legal_id,
    validate_mobile,
    validate_national_id,
)


class TestMobile:
    @pytest.mark.parametrize(
        "typed",
        [
            "09121234567",
            "9121234567",
            "+989121234567",
            "00989121234567",
            "989121234567",
            "+98 912 123 4567",
            "0912-123-4567",
            "(0912) 123 4567",
            "۰۹۱۲۱۲۳۴۵۶۷",
            "٠٩١٢١٢٣٤٥٦٧",
            "+۹۸۹۱۲۱۲۳۴۵۶۷",
            " 0912 123 4567\u00a0",
        ],
    )
    def test_spellings_normalise(self, typed):
        assert normalize_mobile(typed) == "09121234567"

    @pytest.mark.parametrize(
        "typed",
        [
            "",
            "0912123456",
            "091212345678",
            "02112345678",
            "+19121234567",
            "0912abc4567",
            "۰۹۱۲۱۲۳۴۵۶",
            "+98 0912 123 4567x",
        ],
    )
    def test_invalid(self, typed):
        with pytest.raises(ValidationError) as exc:
            normalize_mobile(typed)
        assert exc.value.messages == [str(MSG_MOBILE)]
        assert exc.value.code == "invalid_mobile"

    def test_validator(self):
        validate_mobile("۰۹۱۲۱۲۳۴۵۶۷")
        with pytest.raises(ValidationError) as exc:
            validate_mobile("12345")
        assert exc.value.code == "invalid_mobile"


class TestNationalId:
    @pytest.mark.parametrize("code", ["0076229645", "0499370899", "0790419904", "4608968882"])
    def test_valid(self, code):
        assert is_valid_national_id(code)
        assert normalize_national_id(code) == code

    def test_persian_digits_and_dashes(self):
        assert normalize_national_id("۰۰۷-۶۲۲۹۶۴-۵") == "0076229645"
        assert normalize_national_id("٠٠٧٦٢٢٩٦٤٥") == "0076229645"

    @pytest.mark.parametrize(
        "code",
        [
            "0076229646",  # wrong check digit
            "0076229644",
            "0076229645"[:-1],  # 9 digits
            "00762296450",  # 11 digits
            "007622964a",
            "",
        ]
        + [str(d) * 10 for d in range(10)],  # all-equal digits pass the arithmetic for some d but are invalid
    )
    def test_invalid(self, code):
        assert not is_valid_national_id(code)
        with pytest.raises(ValidationError) as exc:
            validate_national_id(code)
        assert exc.value.messages == [str(MSG_NATIONAL_ID)]
        assert exc.value.code == "invalid_national_id"

    def test_all_equal_digits_would_pass_the_checksum(self):
        # Why the all-equal rule exists: e.g. 1111111111 satisfies the check-digit formula.
        code = "1111111111"
        remainder = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
        assert int(code[9]) == (remainder if remainder < 2 else 11 - remainder)
        assert not is_valid_national_id(code)


class TestLegalId:
    @pytest.mark.parametrize("code", ["10380284790", "14003778990"])
    def test_valid(self, code):
        assert is_valid_legal_id(code)
        assert normalize_legal_id(code) == code

    def test_persian_digits(self):
        assert normalize_legal_id("۱۰۳۸۰۲۸۴۷۹۰") == "10380284790"

    @pytest.mark.parametrize(
        "code", ["10380284791", "14003778991", "1038028479", "103802847900", "1038028479x", "", "00000000000"]
    )
    def test_invalid(self, code):
        assert not is_valid_legal_id(code)
        with pytest.raises(ValidationError) as exc:
            validate_legal_id(code)
        assert exc.value.messages == [str(MSG_LEGAL_ID)]
        assert exc.value.code == "invalid_legal_id"

    def test_each_single_digit_change_is_caught_in_the_check_digit(self):
        code = "14003778990"
        for wrong in "123456789":
            assert not is_valid_legal_id(code[:10] + wrong)


class TestEconomicCode:
    def test_legal_entity_is_its_legal_id(self):
        assert normalize_economic_code("10380284790") == "10380284790"
        assert normalize_economic_code("۱۴۰۰۳۷۷۸۹۹۰") == "14003778990"

    def test_person_14_digits(self):
        assert normalize_economic_code("41148733981436") == "41148733981436"
        assert normalize_economic_code("۴۱۱۴ ۸۷۳۳ ۹۸۱۴ ۳۶") == "41148733981436"

    @pytest.mark.parametrize(
        "code",
        ["10380284791", "1234567890", "123456789012", "4114873398143", "411487339814360", "4114873398143a", ""],
    )
    def test_invalid(self, code):
        with pytest.raises(ValidationError) as exc:
            validate_economic_code(code)
        assert exc.value.messages == [str(MSG_ECONOMIC_CODE)]
        assert exc.value.code == "invalid_economic_code"
