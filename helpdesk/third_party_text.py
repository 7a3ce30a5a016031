"""Words of Django's and django-taggit's own Persian catalogues that break the site's spelling (issue #13): «برچسب ها»
without the half-space, «جستجو» instead of «جست‌وجو», «می باشد» with a space.

The msgids are listed here (marked, not translated) so that `makemessages` keeps them in `locale/`, whose Persian
catalogue overrides the packages' (LOCALE_PATHS come first, see the Django translation docs); their translations
there are spelt like the rest of the site. `helpdesk/tests/test_spelling.py` checks every Persian catalogue of ours.
"""

from django.utils.translation import gettext_noop

MSGIDS = (
    # django-taggit (the tag field and the admin)
    gettext_noop("Tags"),
    gettext_noop("tags"),
    gettext_noop("A comma-separated list of tags."),
    gettext_noop("Please provide a comma-separated list of tags."),
    gettext_noop("%(object)s tagged with %(tag)s"),
    gettext_noop("tagged item"),
    gettext_noop("tagged items"),
    # Django's admin and forms
    gettext_noop("Search"),
    gettext_noop("Lookup"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Ensure this value is %(limit_value)s (it is %(show_value)s)."),
    gettext_noop("No %(verbose_name)s found matching the query"),
)
