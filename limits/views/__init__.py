"""Views: thin adapters over forms, selectors and services (public calculator, seller pages, staff pages)."""

from .public import calculator
from .sellers import index, request_create, request_detail, taxpayer_detail, taxpayer_list
from .staff import figures_import, recompute, request_action, request_list, usage_add

__all__ = [
    "calculator",
    "figures_import",
    "index",
    "recompute",
    "request_action",
    "request_create",
    "request_detail",
    "request_list",
    "taxpayer_detail",
    "taxpayer_list",
    "usage_add",
]
