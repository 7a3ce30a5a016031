"""Article 6 models: reference data, ceilings and usage (`core`), increase requests (`increase`)."""

from .core import (
    QUARTER_VALIDATORS,
    YEAR_VALIDATORS,
    Ceiling,
    FigureSource,
    PriorPeriodFigures,
    Quarter,
    Taxpayer,
    Usage,
    YearParameters,
    validate_taxpayer_id,
)
from .increase import (
    ALLOWED_TRANSITIONS,
    CLOSED_STATES,
    OPEN_STATES,
    GuaranteeType,
    IncreaseRequest,
    Settlement,
    State,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CLOSED_STATES",
    "OPEN_STATES",
    "QUARTER_VALIDATORS",
    "YEAR_VALIDATORS",
    "Ceiling",
    "FigureSource",
    "GuaranteeType",
    "IncreaseRequest",
    "PriorPeriodFigures",
    "Quarter",
    "Settlement",
    "State",
    "Taxpayer",
    "Usage",
    "YearParameters",
    "validate_taxpayer_id",
]
