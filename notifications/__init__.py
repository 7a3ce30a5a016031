"""Notifications (F20, F21): an outbox of email, SMS and panel messages, generic over what they are about.

The one entry point for events is `outbox.notify(event)`: every state-changing service calls it inside its
transaction after recording the event. The apps register, for their event kinds, who hears about them and what
they read (`registry`; e.g. `tickets/notifications.py`); `notify` renders the messages and writes them as
`models.Notification` rows in that same transaction; Celery delivers them after commit (`tasks`). See `outbox` for
the life of a row, `channels` for sending, `preferences` for who wants which channel.

This package imports only `helpdesk`, `accounts`, Django and third-party packages: it knows no ticket.
"""
