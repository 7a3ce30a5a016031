"""Article 6 services (writes). Import from `limits.services`."""

from .ceilings import (
    MSG_AMOUNT_POSITIVE,
    MSG_DUPLICATE_REFERENCE,
    ceiling_compute,
    ceilings_compute_for_period,
    usage_record,
)
from .imports import ImportReport, figures_import_csv, usage_import_csv
from .increases import (
    LimitsError,
    LimitsPermissionError,
    article6_ticket_type,
    increase_request_announce,
    increase_request_apply,
    increase_request_expire,
    increase_request_file,
    increase_request_reject,
    increase_request_request_settlement,
    increase_request_require_prior_debt,
    increase_request_review,
    increase_request_settle,
    increase_request_withdraw,
    increase_requests_expire_due,
)

__all__ = [
    "MSG_AMOUNT_POSITIVE",
    "MSG_DUPLICATE_REFERENCE",
    "ImportReport",
    "LimitsError",
    "LimitsPermissionError",
    "article6_ticket_type",
    "ceiling_compute",
    "ceilings_compute_for_period",
    "figures_import_csv",
    "increase_request_announce",
    "increase_request_apply",
    "increase_request_expire",
    "increase_request_file",
    "increase_request_reject",
    "increase_request_request_settlement",
    "increase_request_require_prior_debt",
    "increase_request_review",
    "increase_request_settle",
    "increase_request_withdraw",
    "increase_requests_expire_due",
    "usage_import_csv",
    "usage_record",
]
