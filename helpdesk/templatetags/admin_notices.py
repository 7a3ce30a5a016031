"""`{% load admin_notices %}{% admin_notices as notices %}`: the notices apps registered for the admin index."""

from django import template

from helpdesk import admin_notices as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_notices(context) -> list[registry.AdminNotice]:
    request = context.get("request")
    return registry.notices_for(request) if request is not None else []
