"""Gunicorn's settings: read from the working directory by `gunicorn helpdesk.wsgi` run in the repository (or name
it: `gunicorn -c gunicorn.conf.py helpdesk.wsgi`). Command-line options still win.

Gunicorn logs through its own loggers, not Django's LOGGING: each worker masks the Kavenegar receive secret in
its access and error logs (`inbound.logmask`).
"""


def post_fork(server, worker):
    from inbound.logmask import mask_gunicorn_logs

    mask_gunicorn_logs()
