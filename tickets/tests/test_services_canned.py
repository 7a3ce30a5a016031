"""`tickets.services.canned`: canned responses (placeholders, who sees which) and saved filters."""

import pytest
from django.utils import translation

from accounts.tests.factories import CustomerFactory, ManagerFactory
from helpdesk.persian import to_persian_digits
from tickets import services

from .factories import CannedResponseFactory

pytestmark = pytest.mark.django_db


# --- canned responses and saved filters -------------------------------------------------------------


class TestCanned:
    def test_placeholders(self, ticket, agent):
        response = CannedResponseFactory(
            body="سلام {customer_name} عزیز، درخواست #{ticket_reference} در {department} توسط {agent_name} "
            "بررسی شد. {unknown} و {  } و { بدون تغییر می‌مانند."
        )
        text = services.render_canned(response=response, ticket=ticket, agent=agent)
        assert text == (
            f"سلام مریم کاظمی عزیز، درخواست #{to_persian_digits(ticket.reference)} در پشتیبانی فنی توسط علی رضایی "
            "بررسی شد. {unknown} و {  } و { بدون تغییر می‌مانند."
        )

    def test_the_reference_in_the_active_languages_digits(self, ticket, agent):
        """#13: «8391637» in a Persian reply; Latin digits stay for English."""
        response = CannedResponseFactory(body="#{ticket_reference}")
        with translation.override("fa"):
            assert services.render_canned(response=response, ticket=ticket, agent=agent) == (
                "#" + to_persian_digits(ticket.reference)
            )
        with translation.override("en"):
            assert services.render_canned(response=response, ticket=ticket, agent=agent) == f"#{ticket.reference}"

    def test_internal_ticket_without_requester(self, agent, department):
        ticket = services.ticket_create(
            requester=None,
            department=department,
            subject="s",
            body="b",
            channel="staff",
            created_by=agent,
            is_internal=True,
        )
        response = CannedResponseFactory(body="{customer_name}|{agent_name}")
        assert services.render_canned(response=response, ticket=ticket, agent=agent) == "|علی رضایی"

    def test_available_to(self, agent, department, other_agent, manager):
        from tickets.models import CannedResponse

        glob = CannedResponseFactory()
        mine = CannedResponseFactory(scope="department", department=department)
        theirs = CannedResponseFactory(scope="department", department=other_agent.departments.get())
        personal = CannedResponseFactory(scope="personal", owner=agent)
        CannedResponseFactory(scope="personal", owner=other_agent)
        CannedResponseFactory(is_active=False)
        assert set(CannedResponse.objects.available_to(agent)) == {glob, mine, personal}
        assert set(CannedResponse.objects.available_to(manager)) == {glob, mine, theirs}
        assert set(CannedResponse.objects.available_to(agent, department=other_agent.departments.get())) == {
            glob,
            theirs,
            personal,
        }
        assert not CannedResponse.objects.available_to(CustomerFactory()).exists()

    def test_saved_filters(self, agent):
        saved = services.saved_filter_save(owner=agent, name=" باز های  من ", querystring="?status=open")
        assert (saved.name, saved.querystring) == ("باز های من", "status=open")
        again = services.saved_filter_save(owner=agent, name="باز های من", querystring="status=new")
        assert again.pk == saved.pk and again.querystring == "status=new"
        services.saved_filter_delete(saved_filter=saved, actor=ManagerFactory())
        assert agent.saved_filters.count() == 1
        services.saved_filter_delete(saved_filter=saved, actor=agent)
        assert agent.saved_filters.count() == 0
