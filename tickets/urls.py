from django.urls import path, register_converter

from .views import attachments, portal, queue, rating, staff, staff_actions, ticket


class ReferenceConverter:
    """A ticket reference in a URL: digits, first one non-zero (see `tickets.references`)."""

    regex = "[1-9][0-9]{6,11}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(ReferenceConverter, "ref")

app_name = "tickets"

urlpatterns = [
    # Customer portal
    path("", portal.portal, name="portal"),
    path("new/", portal.ticket_create, name="create"),
    # Agent queue
    path("queue/", queue.queue, name="queue"),
    path("queue/counters/", queue.queue_counters, name="queue_counters"),
    path("queue/bulk/", queue.bulk_action, name="bulk"),
    path("queue/filters/", queue.saved_filter_save, name="saved_filter_save"),
    path("queue/filters/<int:pk>/delete/", queue.saved_filter_delete, name="saved_filter_delete"),
    # Staff create tickets
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/customers/", staff.customer_search, name="customer_search"),
    path("staff/customers/new/", staff.customer_create, name="customer_create"),
    # Satisfaction rating by the signed link (no login)
    path("rate/<str:token>/", rating.rate, name="rate"),
    # Attachments
    path("files/<int:pk>/", attachments.attachment_download, name="attachment"),
    # One ticket
    path("<ref:reference>/", ticket.ticket_detail, name="detail"),
    path("<ref:reference>/reply/", ticket.ticket_reply, name="reply"),
    path("<ref:reference>/close/", ticket.ticket_close, name="close"),
    path("<ref:reference>/reopen/", ticket.ticket_reopen, name="reopen"),
    path("<ref:reference>/follow/", ticket.ticket_follow, name="follow"),
    path("<ref:reference>/unfollow/", ticket.ticket_unfollow, name="unfollow"),
    path("<ref:reference>/note/", staff_actions.ticket_note, name="note"),
    path("<ref:reference>/canned/", staff_actions.ticket_canned, name="canned"),
    path("<ref:reference>/update/", staff_actions.ticket_update, name="update"),
    path("<ref:reference>/take/", staff_actions.ticket_take, name="take"),
    path("<ref:reference>/pin/", staff_actions.ticket_pin, name="pin"),
    path("<ref:reference>/merge/", staff_actions.ticket_merge, name="merge"),
    path("<ref:reference>/presence/", staff_actions.ticket_presence, name="presence"),
    path("<ref:reference>/presence/leave/", staff_actions.ticket_presence_leave, name="presence_leave"),
]
