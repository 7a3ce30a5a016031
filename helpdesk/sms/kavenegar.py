"""Our own small client for Kavenegar's REST API (docs/integrations.md §1).

The PyPI package has no timeout and no base URL, hides the envelope and raises bytes messages, so we talk to the
API directly: `{base_url}/{api_key}/{scope}/{method}.json`, POST with a form body, and we return the whole envelope
`{"return": {"status", "message"}, "entries": …}`. Anything but `return.status == 200` raises `KavenegarError`.

The API key is part of every URL: it never appears in `repr()`, in error messages or in logs.
"""

from __future__ import annotations

from typing import Any

import requests

DEFAULT_BASE_URL = "https://api.kavenegar.com/v1"
DEFAULT_TIMEOUT = 10.0


class KavenegarError(Exception):
    """The gateway refused (`code` = `return.status`) or could not be reached (`code` is None).

    `http_status`: the HTTP status when an answer came back. `timeout`: the call timed out; `maybe_sent`: the
    request went out but the answer was lost (a read timeout), so it may have been carried out.
    """

    def __init__(
        self,
        code: int | None,
        message: str,
        *,
        http_status: int | None = None,
        timeout: bool = False,
        maybe_sent: bool = False,
    ):
        self.code = code
        self.message = message
        self.http_status = http_status
        self.timeout = timeout
        self.maybe_sent = maybe_sent
        super().__init__(f"Kavenegar {code if code is not None else 'error'}: {message}")


class KavenegarClient:
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ):
        self._api_key = api_key
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json"})

    def __repr__(self) -> str:  # never the key
        return f"<KavenegarClient {self.base_url}>"

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def call(self, scope: str, method: str, params: dict[str, Any] | None = None) -> dict:
        """POST one API method; the envelope on `return.status == 200`, else `KavenegarError`."""
        url = f"{self.base_url}/{self._api_key}/{scope}/{method}.json"
        data = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self.session.post(url, data=data, timeout=self.timeout)
        except requests.Timeout as exc:
            maybe_sent = isinstance(exc, requests.ReadTimeout)
            raise KavenegarError(None, self._redact(f"timeout: {exc}"), timeout=True, maybe_sent=maybe_sent) from None
        except requests.RequestException as exc:
            raise KavenegarError(None, self._redact(f"{type(exc).__name__}: {exc}")) from None
        try:
            envelope = response.json()
            status = int(envelope["return"]["status"])
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {response.status_code}, not a Kavenegar answer"
            raise KavenegarError(None, message, http_status=response.status_code) from None
        if status != 200:
            message = str(envelope["return"].get("message") or "")
            raise KavenegarError(status, self._redact(message), http_status=response.status_code)
        return envelope

    # --- the methods we use -------------------------------------------------------------------------------------

    def sms_send(
        self, *, receptor: str, message: str, sender: str | None = None, localid: str | int | None = None
    ) -> dict:
        return self.call(
            "sms", "send", {"receptor": receptor, "message": message, "sender": sender, "localid": localid}
        )

    def sms_status(self, *, messageids: list[str]) -> dict:
        return self.call("sms", "status", {"messageid": ",".join(str(m) for m in messageids)})

    def sms_status_localid(self, *, localids: list[str]) -> dict:
        """`sms/statuslocalmessageid`: what became of the messages sent with these `localid`s."""
        return self.call("sms", "statuslocalmessageid", {"localid": ",".join(str(i) for i in localids)})

    def sms_receive(self, *, linenumber: str, isread: bool = False) -> dict:
        """`sms/receive`: messages that arrived on `linenumber` (unread ones with `isread=False`)."""
        return self.call("sms", "receive", {"linenumber": linenumber, "isread": int(isread)})

    def account_info(self) -> dict:
        return self.call("account", "info")
