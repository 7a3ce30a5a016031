import re

import pytest

from helpdesk.persian import (
    clean_digits,
    normalize,
    parse_int,
    to_latin_digits,
    to_persian_digits,
)


class TestDigits:
    def test_all_three_scripts_to_latin(self):
        assert to_latin_digits("۱۲۳") == "123"
        assert to_latin_digits("١٢٣") == "123"
        assert to_latin_digits("123") == "123"
        assert to_latin_digits("کد ۰۹۱۲ و ٠٩١٢") == "کد 0912 و 0912"

    def test_to_persian(self):
        assert to_persian_digits("1403/12/30") == "۱۴۰۳/۱۲/۳۰"
        assert to_persian_digits("١٢٣") == "۱۲۳"
        assert to_persian_digits(42) == "۴۲"

    def test_round_trip_keeps_other_text(self):
        text = "Ticket #12, تیکت ۱۲"
        assert to_latin_digits(to_persian_digits(text)) == "Ticket #12, تیکت 12"


class TestNormalize:
    @pytest.mark.parametrize(
        ("typed", "meant"),
        [
            ("علي", "علی"),  # Arabic yeh
            ("مصطفى", "مصطفی"),  # alef maksura
            ("كتاب", "کتاب"),  # Arabic kaf
            ("مدرسة", "مدرسه"),  # teh marbuta
            ("خانۀ", "خانه"),  # heh with yeh above
            ("أحمد", "احمد"),
            ("آب", "اب"),
        ],
    )
    def test_letter_variants(self, typed, meant):
        assert normalize(typed) == normalize(meant)
        assert normalize(typed) == meant

    def test_digits_of_every_script_are_one(self):
        assert normalize("۱۲۳") == normalize("١٢٣") == normalize("123") == "123"

    def test_zwnj_counts_as_space(self):
        assert normalize("می\u200cروم") == "می روم"
        assert normalize("می\u200cروم") == normalize("می روم")

    def test_tatweel_and_diacritics_are_removed(self):
        assert normalize("كـــتاب") == "کتاب"
        assert normalize("مُحَمَّد") == "محمد"
        assert normalize("كِتابٌ") == "کتاب"

    def test_presentation_forms_and_bidi_marks(self):
        # Text pasted from a PDF: presentation forms; from a chat app: bidi marks.
        assert normalize("ﮐﺘﺎﺏ") == "کتاب"
        assert normalize("\u200fسلام\u200e") == "سلام"

    def test_case_and_spaces(self):
        assert normalize("  Hello   WORLD \n") == "hello world"

    def test_empty(self):
        assert normalize("") == ""
        assert normalize(None) == ""

    def test_a_search_finds_what_a_person_means(self):
        stored = "درخواست افزايش سقف فروش شركت ۱۴۰۳"
        typed = "افزایش سقف فروش شرکت 1403"
        assert normalize(typed) in normalize(stored)


class TestParseInt:
    @pytest.mark.parametrize(
        ("typed", "value"),
        [
            ("1500000", 1_500_000),
            ("۱٬۵۰۰٬۰۰۰", 1_500_000),
            ("١،٥٠٠،٠٠٠", 1_500_000),
            ("1,500,000", 1_500_000),
            ("1 500 000", 1_500_000),
            ("  42 ", 42),
            ("-1,234", -1234),
            ("\u2212۱۲", -12),
            ("+7", 7),
            ("0", 0),
        ],
    )
    def test_accepts(self, typed, value):
        assert parse_int(typed) == value

    @pytest.mark.parametrize(
        "typed",
        ["", "   ", "12.5", "۱۲٫۵", "12,5", "1,5000", "12a", "abc", "۱۲ ریال", ",", "1,,000", "--1"],
    )
    def test_rejects(self, typed):
        with pytest.raises(ValueError):
            parse_int(typed)

    def test_accepts_an_int(self):
        assert parse_int(12) == 12


class TestCleanDigits:
    @pytest.mark.parametrize(
        ("typed", "cleaned"),
        [
            ("۰۹۱۲-۱۲۳ ۴۵۶۷", "09121234567"),  # Persian digits, dash, space
            ("٠٩١٢ ١٢٣ ٤٥٦٧", "09121234567"),  # Arabic-Indic digits
            ("(021) 8877.6655", "02188776655"),  # brackets and dots
            ("007\u2013622964\u20115", "0076229645"),  # en dash, non-breaking hyphen
            ("\u2212\u200e12\u00a034\u202f56\u200f", "123456"),  # minus sign, bidi marks, no-break spaces
            ("۴۸۳\u200c۰۲۷۱", "4830271"),  # ZWNJ
            ("\u202b1234\u202c\u2066\ufeff", "1234"),  # embeddings, isolates, BOM
            ("\t12\n34 ", "1234"),
        ],
    )
    def test_digits_of_every_script_without_the_marks_between_them(self, typed, cleaned):
        assert clean_digits(typed) == cleaned

    def test_letters_and_other_signs_stay_for_the_caller_to_refuse(self):
        assert clean_digits("12a4") == "12a4"
        assert clean_digits("+98 912") == "+98912"
        assert clean_digits("#۴۸۳۰۲۷۱") == "#4830271"

    def test_thousands_separators_only_when_asked(self):
        typed = "۱٬۲۳۴,۵۶۷،۸۹۰_۱۲۳'۴۵۶"
        assert clean_digits(typed) == "1٬234,567،890_123'456"
        assert clean_digits(typed, separators=True) == "1234567890123456"

    def test_empty(self):
        assert clean_digits("") == ""
        assert clean_digits(None) == ""


def render(source: str, language: str, **context) -> str:
    from django.template import Context, Template
    from django.utils import translation

    with translation.override(language):
        return Template("{% load persian %}" + source).render(Context(context))


class TestDigitFilters:
    def test_pdigits_persian(self):
        assert render("{{ v|pdigits }}", "fa", v=12345) == "۱۲۳۴۵"
        assert render("{{ v|pdigits }}", "fa", v="تیکت 12 و ١٣") == "تیکت ۱۲ و ۱۳"
        assert render("{{ v|pdigits }}", "fa", v=3.5) == "۳٫۵"

    def test_pdigits_english_is_latin(self):
        assert render("{{ v|pdigits }}", "en", v=12345) == "12345"
        assert render("{{ v|pdigits }}", "en", v="۱۲ و ١٣") == "12 و 13"
        assert render("{{ v|pdigits }}", "en", v=3.5) == "3.5"

    def test_pdigits_empty(self):
        assert render("{{ v|pdigits }}", "fa", v=None) == ""
        assert render("{{ v|pdigits }}", "fa", v="") == ""
        assert render("{{ v|pdigits }}", "fa", v=0) == "۰"

    def test_pdigits_escapes_unsafe_text(self):
        assert render("{{ v|pdigits }}", "fa", v="<b>1</b>") == "&lt;b&gt;۱&lt;/b&gt;"

    def test_pdigits_keeps_safe_markup_intact(self):
        from django.utils.safestring import mark_safe

        html = mark_safe('<h2 id="s1">Step 2 &#39;x&#39;</h2>')
        assert render("{{ v|pdigits }}", "fa", v=html) == '<h2 id="s1">Step ۲ &#39;x&#39;</h2>'

    def test_pnumber(self):
        from decimal import Decimal

        assert render("{{ v|pnumber }}", "fa", v=12345678) == "۱۲٬۳۴۵٬۶۷۸"
        assert render("{{ v|pnumber }}", "en", v=12345678) == "12,345,678"
        assert render("{{ v|pnumber }}", "fa", v="۱۲۳۴۵۶۷۸") == "۱۲٬۳۴۵٬۶۷۸"
        assert render("{{ v|pnumber }}", "fa", v=-1500) == "-۱٬۵۰۰"
        assert render("{{ v|pnumber }}", "fa", v=Decimal("1234567.50")) == "۱٬۲۳۴٬۵۶۷٫۵۰"
        assert render("{{ v|pnumber }}", "en", v=Decimal("1234567.50")) == "1,234,567.50"
        assert render("{{ v|pnumber }}", "fa", v=999) == "۹۹۹"

    def test_pnumber_other_values(self):
        assert render("{{ v|pnumber }}", "fa", v=None) == ""
        assert render("{{ v|pnumber }}", "fa", v="n/a 7") == "n/a ۷"
        assert render("{{ v|pnumber }}", "fa", v=True) == "True"


class TestLocalizedIntegerField:
    def form(self, **field_kwargs):
        from django import forms

        from helpdesk.forms import LocalizedIntegerField

        class AmountForm(forms.Form):
            amount = LocalizedIntegerField(**field_kwargs)

        return AmountForm

    @pytest.mark.parametrize(
        ("typed", "value"),
        [("۱٬۵۰۰٬۰۰۰", 1_500_000), ("1,500,000", 1_500_000), ("١،٥٠٠", 1500), ("۲۵۰۰", 2500), ("7", 7)],
    )
    def test_accepts(self, typed, value):
        form = self.form()(data={"amount": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["amount"] == value

    @pytest.mark.parametrize("typed", ["12.5", "۱۲٫۵", "12,5", "ten", "۱۲ ریال"])
    def test_rejects_with_a_clear_message(self, typed):
        from django.utils import translation

        with translation.override("en"):
            form = self.form()(data={"amount": typed})
            assert not form.is_valid()
            assert form.errors["amount"] == ["Enter a whole number, e.g. 1,500,000 (Persian or Latin digits)."]

    def test_limits_in_the_page_digits(self):
        from django.utils import translation

        form_class = self.form(min_value=1000, max_value=5_000_000)
        with translation.override("en"):
            low = form_class(data={"amount": "999"})
            assert not low.is_valid()
            assert low.errors["amount"] == ["Enter a number no less than 1,000."]
            high = form_class(data={"amount": "5,000,001"})
            assert not high.is_valid()
            assert high.errors["amount"] == ["Enter a number no greater than 5,000,000."]
        with translation.override("fa"):
            low = form_class(data={"amount": "۹۹۹"})
            assert not low.is_valid()
            assert "۱٬۰۰۰" in low.errors["amount"][0]
            assert not re.search("[0-9A-Za-z]", low.errors["amount"][0])  # Persian sentence, Persian digits
            letters = form_class(data={"amount": "ten"})
            assert not letters.is_valid()
            assert not re.search("[A-Za-z]", letters.errors["amount"][0])
        assert form_class(data={"amount": "۱٬۰۰۰"}).is_valid()
        assert form_class(data={"amount": "5,000,000"}).is_valid()

    def test_optional(self):
        form = self.form(required=False)(data={"amount": ""})
        assert form.is_valid() and form.cleaned_data["amount"] is None

    def test_renders_a_text_input_with_grouped_initial(self):
        from django.utils import translation

        with translation.override("fa"):
            html = str(self.form(min_value=0)(initial={"amount": 12345678})["amount"])
        assert 'type="text"' in html and 'value="۱۲٬۳۴۵٬۶۷۸"' in html
        assert 'min="' not in html
        with translation.override("en"):
            html = str(self.form()(initial={"amount": 12345678})["amount"])
        assert 'value="12,345,678"' in html

    def test_unchanged_initial_is_not_a_change(self):
        form = self.form()(data={"amount": "۱۲٬۳۴۵"}, initial={"amount": 12345})
        assert not form.has_changed()


class TestDigitFields:
    def test_persian_digits_mixin(self):
        from django import forms

        from helpdesk.forms import PersianDigitsMixin

        class CodeField(PersianDigitsMixin, forms.CharField):
            pass

        class CodeForm(forms.Form):
            code = CodeField(max_length=20)

        form = CodeForm(data={"code": " ۱۲۳-٤٥ "})
        assert form.is_valid()
        assert form.cleaned_data["code"] == "123-45"

    def test_identifier_fields(self):
        from django import forms

        from helpdesk.forms import EconomicCodeField, LegalIDField, MobileField, NationalIDField

        class IdentityForm(forms.Form):
            mobile = MobileField()
            national_id = NationalIDField(required=False)
            legal_id = LegalIDField(required=False)
            economic_code = EconomicCodeField(required=False)

        form = IdentityForm(
            data={
                "mobile": "+۹۸ ۹۱۲ ۱۲۳ ۴۵۶۷",
                "national_id": "۰۰۷۶۲۲۹۶۴۵",
                "legal_id": "١٠٣٨٠٢٨٤٧٩٠",
                "economic_code": "",
            }
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data == {
            "mobile": "09121234567",
            "national_id": "0076229645",
            "legal_id": "10380284790",
            "economic_code": "",
        }
        bad = IdentityForm(data={"mobile": "0912", "national_id": "0076229646", "legal_id": "1", "economic_code": "1"})
        assert not bad.is_valid()
        assert set(bad.errors) == {"mobile", "national_id", "legal_id", "economic_code"}
        assert bad.errors.as_data()["national_id"][0].code == "invalid_national_id"

    def test_a_length_limit_speaks_with_the_pages_digits(self):
        from django import forms
        from django.utils import translation

        from helpdesk.forms import MobileField

        class NumberForm(forms.Form):
            mobile = MobileField(max_length=20)

        with translation.override("fa"):
            assert NumberForm(data={"mobile": "0912" * 10}).errors["mobile"] == [
                "حداکثر ۲۰ نویسه وارد کنید (این ۴۰ نویسه دارد)."
            ]
        with translation.override("en"):
            assert NumberForm(data={"mobile": "0912" * 10}).errors["mobile"] == [
                "Enter at most 20 characters (this has 40)."
            ]
