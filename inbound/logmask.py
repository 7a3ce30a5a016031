"""The Kavenegar receive secret kept out of the logs.

Kavenegar's receive callback is a URL set in its panel, and the gateway sends nothing else we could check: no
signature, no header of ours, no field of ours (docs/integrations.md §1.6). So the secret stays in the URL's path
(`/inbound/sms/kavenegar/<secret>/`), and every log line that would carry the path carries `********` instead:
gunicorn's access and error logs (`gunicorn.conf.py` adds the filter in each worker) and Django's (the `console`
handler of LOGGING: `django.request`'s "Bad Request: …" and "Not Found: …", `django.server` under `runserver`).

No Django import: gunicorn's configuration imports this before Django is set up.
"""

from __future__ import annotations

import logging
import re

MASK = "********"
# The path segment after /sms/kavenegar/, wherever the inbound URLs are mounted; up to the next /, ?, # or space.
_SECRET_IN_PATH = re.compile(r"(/sms/kavenegar/)[^/?#\s\"']+")
GUNICORN_LOGGERS = ("gunicorn.access", "gunicorn.error")


def mask(text: str) -> str:
    """`text` with the receive secret of any Kavenegar callback path in it replaced by `MASK`."""
    return _SECRET_IN_PATH.sub(lambda m: m.group(1) + MASK, text)


class MaskSecrets(logging.Filter):
    """Rewrites a record whose message names a Kavenegar callback path (its arguments merged into the message);
    lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a malformed log call: the handler reports it as it always did
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


_FILTER = MaskSecrets()


def mask_gunicorn_logs() -> None:
    """Add the filter to gunicorn's own loggers (once; called again after a reload, it changes nothing)."""
    for name in GUNICORN_LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)
