from .site import get_site_settings


def site(request):
    """`site_settings` on every page, and `site_banner`: the public message for the visitor's audience (F31/F32)
    — the staff message for employees, the customer message for customers and anonymous visitors — when set."""
    settings = get_site_settings()
    context = {"site_settings": settings}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_employee:
        banner = settings.staff_message
    else:
        banner = settings.customer_message
    if banner.strip():
        context["site_banner"] = banner
    return context
