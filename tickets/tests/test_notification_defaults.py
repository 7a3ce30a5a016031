"""What an office pays for (issue #11 §6): the tickets app's default channels per group (staff get SMS only for what
is theirs), a person's own choice over the defaults, and the admins' table of defaults per access level, through
the real services and the real admin pages."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from accounts.tests.factories import AgentFactory
from notifications.models import Notification, NotificationDefault, NotificationPreference
from notifications.outbox import notify
from notifications.preferences import preferences_save
from tickets import events, services
from tickets import notifications as ticket_notifications
from tickets.models import TicketEvent
from tickets.tests.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

C = Notification.Channel
NEW_TICKET = ticket_notifications.NEW_TICKET


def channels(user, **filters) -> set[str]:
    return set(Notification.objects.filter(recipient=user, **filters).values_list("channel", flat=True))


@pytest.fixture
def seven(department, agent):
    """The department with seven agents (the fixture's agent and six more), every one with an email and a mobile."""
    department.members.add(*AgentFactory.create_batch(6))
    agents = list(department.members.all())
    assert len(agents) == 7 and all(a.email and a.mobile for a in agents)
    return agents


def test_a_web_ticket_in_a_department_of_seven_agents(make_ticket, seven, customer):
    ticket = make_ticket()
    rows = Notification.objects.filter(event__ticket=ticket)
    per_channel = {channel: rows.filter(channel=channel).count() for channel in C.values}
    # The customer: email, SMS and panel (as before); each agent: email and panel, no SMS. 17 rows, not 24.
    assert per_channel == {C.EMAIL: 8, C.SMS: 1, C.PANEL: 8}
    assert rows.get(channel=C.SMS).recipient == customer


def test_staff_get_sms_for_what_is_theirs(make_ticket, agent, teammate, supervisor):
    ticket = make_ticket()
    ticket = services.ticket_assign(ticket=ticket, agent=teammate, actor=agent)
    assert channels(teammate, kind=events.ASSIGNED) == {C.EMAIL, C.SMS, C.PANEL}
    notify(TicketEvent.objects.create(ticket=ticket, kind="sla_breach", data={}))
    assert channels(teammate, kind="sla_breach") == {C.EMAIL, C.SMS, C.PANEL}  # the assignee
    services.reply_add(ticket=ticket, author=ticket.requester, body="هنوز درست نشده.")
    assert channels(teammate, kind=events.REPLIED) == {C.EMAIL, C.PANEL}


def test_a_persons_own_choice_overrides_the_default(make_ticket, agent, teammate, customer):
    preferences_save(user=agent, table={NEW_TICKET: {"email": False, "sms": True, "panel": True}})
    preferences_save(user=customer, table={NEW_TICKET: {"email": True, "sms": False, "panel": False}})
    make_ticket()
    assert channels(agent) == {C.SMS, C.PANEL}
    assert channels(teammate) == {C.EMAIL, C.PANEL}  # no choice of their own: the default
    assert channels(customer) == {C.EMAIL}


def test_the_general_switches_narrow_the_defaults_but_not_an_own_choice(make_ticket, agent, teammate):
    for user in (agent, teammate):
        user.notify_email = False
        user.save()
    preferences_save(user=teammate, table={NEW_TICKET: {"email": True, "sms": False, "panel": False}})
    make_ticket()
    assert channels(agent) == {C.PANEL}
    assert channels(teammate) == {C.EMAIL}


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


def test_an_admin_changed_default_applies_to_people_without_their_own_choice(
    admin_client, make_ticket, agent, teammate, supervisor, department, customer
):
    row = NotificationDefault.objects.get(role="agent", group=NEW_TICKET)
    assert (row.email, row.sms, row.panel) == (True, False, True)  # written by migrate, as the tickets app says
    response = admin_client.post(
        reverse("admin:notifications_notificationdefault_change", args=[row.pk]), {"sms": "on", "panel": "on"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.email, row.sms, row.panel) == (False, True, True)
    preferences_save(user=teammate, table={NEW_TICKET: {"email": True, "sms": False, "panel": True}})
    department.members.add(supervisor)  # another access level: its own default, unchanged
    make_ticket()
    assert channels(agent) == {C.SMS, C.PANEL}
    assert channels(teammate) == {C.EMAIL, C.PANEL}
    assert channels(supervisor) == {C.EMAIL, C.PANEL}
    assert channels(customer) == {C.EMAIL, C.SMS, C.PANEL}


def test_the_defaults_table_in_the_admin_is_persian_and_complete(admin_client):
    url = reverse("admin:notifications_notificationdefault_changelist")
    soup = BeautifulSoup(admin_client.get(url, {"role__exact": "agent"}).content, "html.parser")
    rows = soup.select("#result_list tbody tr")
    labels = [row.select_one(".field-events").get_text(strip=True) for row in rows]
    assert labels == [
        "درخواست‌های تازه",
        "پاسخ‌ها",
        "یادداشت‌های داخلی",
        "واگذاری و ارجاع",
        "تغییر وضعیت",
        "مهلت‌ها و ارجاع به سطح بالاتر",
    ]
    assert "پیش‌فرض" in soup.title.get_text()
    # Rows are the table migrate writes: nobody adds or deletes one.
    assert admin_client.get(reverse("admin:notifications_notificationdefault_add")).status_code == 403


def test_the_defaults_table_saves_from_the_list(admin_client):
    """The changelist's checkboxes (list_editable) change the rows: the admins' usual way to set the defaults."""
    url = reverse("admin:notifications_notificationdefault_changelist")
    rows = list(NotificationDefault.objects.filter(role="agent").order_by("pk"))
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "1",
    }
    for i, row in enumerate(rows):
        data[f"form-{i}-id"] = str(row.pk)
        data[f"form-{i}-panel"] = "on"  # email and SMS off everywhere, panel on
    response = admin_client.post(f"{url}?role__exact=agent", data)
    assert response.status_code == 302
    assert set(NotificationDefault.objects.filter(role="agent").values_list("email", "sms", "panel")) == {
        (False, False, True)
    }
    assert NotificationDefault.objects.filter(role="supervisor", email=True).exists()


def test_the_preferences_page_shows_the_defaults_and_saves_only_what_changed(client, agent):
    client.force_login(agent)
    url = reverse("notifications:preferences")
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    assert soup.select_one("input[name=new_ticket__email]").has_attr("checked")
    assert not soup.select_one("input[name=new_ticket__sms]").has_attr("checked")  # staff: no SMS for new tickets
    assert soup.select_one("input[name=sla__sms]").has_attr("checked")
    checked = {i["name"]: "on" for i in soup.select("input[type=checkbox][checked]")}
    response = client.post(url, {**checked, "new_ticket__sms": "on"})
    assert response.status_code == 302
    assert list(NotificationPreference.objects.filter(user=agent).values_list("group", "email", "sms", "panel")) == [
        (NEW_TICKET, True, True, True)
    ]
    # Forgetting one's choices: every group follows the defaults again.
    response = client.post(reverse("notifications:preferences_reset"))
    assert response.status_code == 302
    assert not NotificationPreference.objects.filter(user=agent).exists()


def test_a_transfer_to_a_whole_department_is_a_new_ticket_there_not_an_sms_to_every_agent(make_ticket, agent, manager):
    """Transferred to a department without naming an agent: its members are told by email and panel (the new-ticket
    group's defaults); transferred to a named agent: that agent's, with SMS (the assignment group's)."""
    ticket = make_ticket()
    other = DepartmentFactory(members=AgentFactory.create_batch(5))
    ticket = services.ticket_transfer(ticket=ticket, department=other, actor=manager)
    rows = Notification.objects.filter(event__ticket=ticket, kind=events.TRANSFERRED)
    assert rows.filter(channel=C.SMS).count() == 0
    assert rows.filter(channel=C.EMAIL).count() == rows.filter(channel=C.PANEL).count() == 5
    chosen = other.members.first()
    services.ticket_transfer(ticket=ticket, department=other, agent=chosen, actor=manager)
    assert channels(chosen, kind=events.TRANSFERRED, channel=C.SMS) == {C.SMS}
    assert Notification.objects.filter(kind=events.TRANSFERRED, channel=C.SMS).count() == 1
