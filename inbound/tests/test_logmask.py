"""The Kavenegar receive secret never reaches a log line (#14.7): Django's request logs through the shipped LOGGING,
runserver's request lines, and gunicorn's access log with the shipped gunicorn.conf.py."""

from __future__ import annotations

import datetime as dt
import io
import logging
import runpy
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.config import Config
from gunicorn.glogging import Logger

from inbound.logmask import GUNICORN_LOGGERS, MASK, MaskSecrets, mask

SECRET = "s3cret-path-token"  # the inbound tests' KAVENEGAR_INBOUND_SECRET (conftest)


def test_mask_replaces_the_path_segment_wherever_the_urls_are_mounted():
    line = f'127.0.0.1 - - "POST /inbound/sms/kavenegar/{SECRET}/?from=0912 HTTP/1.1" 400 31'
    assert mask(line) == f'127.0.0.1 - - "POST /inbound/sms/kavenegar/{MASK}/?from=0912 HTTP/1.1" 400 31'
    assert mask(f"Bad Request: /x/sms/kavenegar/{SECRET}") == f"Bad Request: /x/sms/kavenegar/{MASK}"
    assert mask("GET /tickets/queue/ HTTP/1.1") == "GET /tickets/queue/ HTTP/1.1"


def test_the_filter_merges_the_arguments_and_lets_every_record_through():
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "%s: %s", ("Bad Request", f"/sms/kavenegar/{SECRET}/"), None
    )
    assert MaskSecrets().filter(record) and record.getMessage() == f"Bad Request: /sms/kavenegar/{MASK}/"
    untouched = logging.LogRecord("x", logging.INFO, __file__, 1, "%(n)s rows", ({"n": 3},), None)
    assert MaskSecrets().filter(untouched) and untouched.args == {"n": 3}
    malformed = logging.LogRecord("x", logging.INFO, __file__, 1, "%s and %s", ("one",), None)
    assert MaskSecrets().filter(malformed)  # left for the handler to report, as without the filter


@contextmanager
def console_output():
    """What the shipped LOGGING's `console` handler (the one with the filter) writes, while the block runs."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, MaskSecrets) for f in h.filters)]
    assert len(handlers) == 1, "LOGGING's console handler carries the mask_secrets filter"
    stream = io.StringIO()
    old = handlers[0].setStream(stream)
    try:
        yield stream
    finally:
        handlers[0].setStream(old)


@pytest.mark.django_db
def test_a_refused_callback_logs_its_path_masked(client):
    assert "mask_secrets" in settings.LOGGING["handlers"]["console"]["filters"]
    with console_output() as out:
        response = client.post(f"/inbound/sms/kavenegar/{SECRET}/", {"from": "09121110000"})  # no messageid
    assert response.status_code == 400
    logged = out.getvalue()
    assert f"Bad Request: /inbound/sms/kavenegar/{MASK}/" in logged
    assert SECRET not in logged


def test_runservers_request_lines_are_masked():
    with console_output() as out:
        logging.getLogger("django.server").info('"%s" %s %s', f"GET /inbound/sms/kavenegar/{SECRET}/ HTTP/1.1", 200, 2)
    assert f"/inbound/sms/kavenegar/{MASK}/" in out.getvalue() and SECRET not in out.getvalue()


@pytest.fixture
def gunicorn_logger():
    yield Logger(Config())
    for name in GUNICORN_LOGGERS:
        log = logging.getLogger(name)
        log.filters = [f for f in log.filters if not isinstance(f, MaskSecrets)]
        for handler in list(log.handlers):
            log.removeHandler(handler)


def _access(logger: Logger, raw_uri: str) -> None:
    logger.cfg.set("accesslog", "-")
    logger.setup(logger.cfg)
    response = SimpleNamespace(status="200 OK", sent=2, headers=[("Content-Type", "text/plain")])
    path, _sep, query = raw_uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "5.6.7.8",
    }
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=3))


def test_gunicorn_logs_the_secret_without_our_config_and_masks_it_with_it(gunicorn_logger, capsys):
    uri = f"/inbound/sms/kavenegar/{SECRET}/?from=09121110000&messageid=7"
    _access(gunicorn_logger, uri)
    assert SECRET in capsys.readouterr().out  # gunicorn alone writes it: what the filter is for

    hooks = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    hooks["post_fork"](None, None)  # as in each worker
    hooks["post_fork"](None, None)  # after a reload: still one filter
    assert sum(isinstance(f, MaskSecrets) for f in logging.getLogger("gunicorn.access").filters) == 1
    _access(gunicorn_logger, uri)
    out = capsys.readouterr().out
    assert SECRET not in out
    assert f'"GET /inbound/sms/kavenegar/{MASK}/?from=09121110000&messageid=7 HTTP/1.1" 200 2' in out
