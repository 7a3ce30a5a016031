"""Strings of Django's admin and of third-party apps that their own Persian catalogues leave untranslated or spell
against the house rules (Django 5.2, django-axes, django-taggit): marked here so that `makemessages` keeps them in
`locale/`, whose Persian wins over the packages' catalogues (LOCALE_PATHS come first).
`helpdesk/tests/test_admin_persian.py` checks each one is translated. The admin's JavaScript strings (the two-list
picker) are in `locale/fa/LC_MESSAGES/djangojs.po`.

`RESPELT`: words the packages' Persian catalogues do translate, but spell against the site's spelling (issue #13:
«برچسب ها» without the half-space, «جستجو» instead of «جست‌وجو», «می باشد» with a space); our translations in
`locale/` are spelt like the rest of the site, and `helpdesk/tests/test_spelling.py` checks every Persian catalogue
of ours.
"""

from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy

UNTRANSLATED = (
    # django.contrib.admin
    gettext_lazy("Model name"),
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
    gettext_lazy("Delete selected %(verbose_name_plural)s"),  # Django's Persian: «حذف … های انتخاب شده»
    # django.contrib.auth (the password of a user's change form)
    gettext_lazy("Reset password"),
    gettext_lazy("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_lazy("salt"),
    gettext_lazy("hash"),
    # django-axes
    gettext_lazy("Clean up expired attempts"),
    gettext_lazy("Not set"),
    gettext_lazy("Attempt Remaining"),
    gettext_lazy("Locked Out"),
    gettext_lazy("access attempt expiration"),
    gettext_lazy("access attempt expirations"),
    # django-taggit (its action's description is not marked for translation; the admin translates it), and its
    # models' names, which its Persian spells without the half-space («برچسب ها»)
    gettext_lazy("Merge selected tags"),
    gettext_lazy("tags"),
    gettext_lazy("tagged item"),
    gettext_lazy("tagged items"),
)

RESPELT = (  # (those already in UNTRANSLATED are not repeated)
    # django-taggit (the tag field and the admin)
    gettext_noop("Tags"),
    gettext_noop("A comma-separated list of tags."),
    gettext_noop("Please provide a comma-separated list of tags."),
    gettext_noop("%(object)s tagged with %(tag)s"),
    # Django's admin and forms
    gettext_noop("Search"),
    gettext_noop("Lookup"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Ensure this value is %(limit_value)s (it is %(show_value)s)."),
    gettext_noop("No %(verbose_name)s found matching the query"),
)
