"""Strings of Django's admin and of third-party apps that their own Persian catalogues leave untranslated or spell
against the house rules (Django 5.2, django-axes, django-taggit): marked here so that `makemessages` keeps them in
`locale/`, whose Persian wins over the packages' catalogues (LOCALE_PATHS come first).
`helpdesk/tests/test_admin_persian.py` checks each one is translated. The admin's JavaScript strings (the two-list
picker) are in `locale/fa/LC_MESSAGES/djangojs.po`.
"""

from django.utils.translation import gettext_lazy, ngettext_lazy

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
