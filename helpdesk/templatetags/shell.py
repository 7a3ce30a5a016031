"""Template tags for the site shell (navbar, home page shortcuts, banner)."""

import hashlib

from django import template
from django.contrib.auth.models import AnonymousUser

from helpdesk import navigation

register = template.Library()


def _user(context):
    return context.get("user") or AnonymousUser()


def _path(context) -> str:
    request = context.get("request")
    return request.path if request is not None else ""


@register.simple_tag(takes_context=True)
def nav_links(context):
    """`{% nav_links as links %}`: the navbar links for the current user (only URLs that exist)."""
    return navigation.links_for(_user(context), current_path=_path(context))


@register.simple_tag(takes_context=True)
def not_found_links(context):
    """`{% not_found_links as links %}`: what the "page not found" page offers the current user."""
    return navigation.not_found_links(_user(context))


@register.simple_tag
def navbar_templates():
    """`{% navbar_templates as templates %}`: the templates the apps add to the navbar."""
    return navigation.navbar_templates()


@register.simple_tag
def login_url():
    return navigation.login_url()


@register.simple_tag(takes_context=True)
def logout_url(context):
    return navigation.logout_url_for(_user(context))


@register.simple_tag
def profile_url():
    return navigation.profile_url()


@register.filter
def banner_key(value) -> str:
    """A short stable key for a banner's text: a dismissed banner comes back when its text changes."""
    key = getattr(value, "key", None)
    if key:
        return str(key)
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:16]
