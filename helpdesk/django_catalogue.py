"""Strings of Django's admin and of third-party apps that their own Persian catalogues leave untranslated (Django
5.2, django-axes, django-taggit): marked here so that `makemessages` keeps them in `locale/`, whose Persian wins
over the packages' catalogues (LOCALE_PATHS come first). `helpdesk/tests/test_admin_persian.py` checks each one is
translated. The admin's JavaScript strings (the two-list picker) are in `locale/fa/LC_MESSAGES/djangojs.po`.
"""

from django.utils.translation import gettext_noop

UNTRANSLATED = (
    # django.contrib.admin
    gettext_noop("Model name"),
    gettext_noop("Please correct the error below."),
    gettext_noop("Please correct the errors below."),
    # django.contrib.auth (the password of a user's change form)
    gettext_noop("Reset password"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("salt"),
    gettext_noop("hash"),
    # django-axes
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Status"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Locked Out"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    # django-taggit (its action's description is not marked for translation; the admin translates it)
    gettext_noop("Merge selected tags"),
)
