"""Factories for the tickets app. Tickets with a thread are best made through `tickets.services.ticket_create`."""

import factory

from accounts.tests.factories import AgentFactory, CustomerFactory
from tickets.models import CannedResponse, Department, Priority, SavedFilter, Ticket, TicketType
from tickets.references import new_reference


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"واحد {n}")
    is_public = True

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.members.add(*extracted)

    @factory.post_generation
    def supervisors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.supervisors.add(*extracted)


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    name = factory.Sequence(lambda n: f"اولویت {n}")
    order = factory.Sequence(lambda n: n)
    colour = "#1E88E5"


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketType

    name = factory.Sequence(lambda n: f"نوع {n}")


class TicketFactory(factory.django.DjangoModelFactory):
    """A bare ticket row (no message, no event) — for selector/permission tests that need many rows fast."""

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    reference = factory.LazyFunction(new_reference)
    subject = factory.Sequence(lambda n: f"موضوع {n}")
    requester = factory.SubFactory(CustomerFactory)
    organisation = factory.LazyAttribute(lambda o: o.requester.organisation if o.requester else None)
    department = factory.SubFactory(DepartmentFactory)
    channel = Ticket.Channel.WEB


class CannedResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedResponse

    title = factory.Sequence(lambda n: f"پاسخ آماده {n}")
    body = "سلام {customer_name}، درخواست {ticket_reference} بررسی شد. {agent_name} — {department}"
    scope = CannedResponse.Scope.GLOBAL


class SavedFilterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedFilter

    owner = factory.SubFactory(AgentFactory)
    name = factory.Sequence(lambda n: f"فیلتر {n}")
    querystring = "status=open"
