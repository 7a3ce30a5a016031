from .site import get_site_settings


def site(request):
    return {"site_settings": get_site_settings()}
