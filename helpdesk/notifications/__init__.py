"""Notifications (F20, F21): an outbox of email, SMS and panel messages.

The one entry point for ticket events is `notify(event)`: every state-changing service calls it inside its
transaction after recording the event. It decides who hears about it and on which channels, renders the messages
and writes them as `helpdesk.models.Notification` rows in that same transaction; Celery delivers them after commit
(`helpdesk.tasks`). See `outbox` for the life of a row, `recipients` for who hears what, `channels` for sending.
"""

from .outbox import notify, notify_users

__all__ = ["notify", "notify_users"]
