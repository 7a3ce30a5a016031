"""The ticket pages, by audience: the customer portal, the agent queue, one ticket, staff actions and
ticket creation, attachment downloads. Thin adapters over `tickets.selectors` and `tickets.services`."""
