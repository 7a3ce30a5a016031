"""Whether an account may be used now (F28 expiry, F29 suspension), and the message that says why not.

Used by the login form (at login) and by `AccountStatusMiddleware` (an open session). Works on the loaded user
only: no queries.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy

from helpdesk.l10n import format_date

if TYPE_CHECKING:
    from .models import User

MSG_SUSPENDED = gettext_lazy("Your account has been suspended. Reason: %(reason)s")
MSG_SUSPENDED_NO_REASON = gettext_lazy("Your account has been suspended. Please contact support.")
MSG_EXPIRED = gettext_lazy("Your account expired on %(date)s. Please contact support to renew it.")

SUSPENDED = "suspended"
EXPIRED = "expired"

# Where AccountStatusMiddleware leaves the reason for ending a session, for the login page to show once.
SESSION_BLOCK_KEY = "accounts:blocked"


@dataclass(frozen=True)
class AccountBlock:
    """Why an account may not be used: `kind` is SUSPENDED or EXPIRED; enough data to write the message later."""

    kind: str
    reason: str = ""
    expires_at: datetime | None = None

    def message(self) -> str:
        if self.kind == SUSPENDED:
            return MSG_SUSPENDED % {"reason": self.reason} if self.reason else str(MSG_SUSPENDED_NO_REASON)
        return MSG_EXPIRED % {"date": format_date(self.expires_at, long=True) if self.expires_at else ""}

    def to_session(self) -> dict:
        return {
            "kind": self.kind,
            "reason": self.reason,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }

    @classmethod
    def from_session(cls, data) -> "AccountBlock | None":
        try:
            expires_at = datetime.fromisoformat(data["expires_at"]) if data.get("expires_at") else None
            block = cls(kind=data["kind"], reason=str(data.get("reason") or ""), expires_at=expires_at)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return block if block.kind in (SUSPENDED, EXPIRED) else None


def account_block(user: "User") -> AccountBlock | None:
    """None when the account may be used; otherwise why not. Suspension wins over expiry."""
    if getattr(user, "suspended_at", None) is not None:
        return AccountBlock(kind=SUSPENDED, reason=user.suspension_reason)
    expires_at = getattr(user, "expires_at", None)
    if expires_at is not None and expires_at <= timezone.now():
        return AccountBlock(kind=EXPIRED, expires_at=expires_at)
    return None
