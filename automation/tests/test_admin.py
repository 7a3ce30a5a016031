"""Rules in the Django admin: a rule without actions or with a bad assignee is refused with a clear message and
nothing is saved; `order` is edited in the list."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory, AgentFactory
from automation.models import ERR_NO_ACTION, Rule
from tickets.tests.factories import DepartmentFactory, PriorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory(is_superuser=True, is_staff=True))
    return client


def form_data(**overrides):
    data = {
        "name": "فوری‌ها",
        "order": "10",
        "is_active": "on",
        "keywords": "",
        "keywords_in": Rule.KeywordsIn.SUBJECT_OR_BODY,
        "keywords_match": Rule.KeywordsMatch.ANY,
        "add_tags": "",
    }
    data.update(overrides)
    return data


def test_rule_without_actions_is_refused(admin_client):
    response = admin_client.post(reverse("admin:automation_rule_add"), form_data(keywords="خرابی"))
    assert response.status_code == 200
    assert str(ERR_NO_ACTION) in response.content.decode()
    assert not Rule.objects.exists()


def test_assignee_outside_the_target_department_is_refused(admin_client):
    sales = DepartmentFactory(name="فروش")
    outsider = AgentFactory(full_name="سارا امینی")
    response = admin_client.post(
        reverse("admin:automation_rule_add"), form_data(set_department=sales.pk, set_assignee=outsider.pk)
    )
    assert response.status_code == 200
    assert "سارا امینی" in response.content.decode()
    assert not Rule.objects.exists()


def test_unknown_channel_is_refused(admin_client):
    priority = PriorityFactory()
    response = admin_client.post(
        reverse("admin:automation_rule_add"), form_data(channels=["fax"], set_priority=priority.pk)
    )
    assert response.status_code == 200
    assert not Rule.objects.exists()


def test_valid_rule_is_saved_with_channels_and_keywords(admin_client):
    priority = PriorityFactory()
    response = admin_client.post(
        reverse("admin:automation_rule_add"),
        form_data(channels=["email", "sms"], keywords="قطع\nبرق", set_priority=priority.pk),
    )
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert rule.channels == ["email", "sms"]
    assert rule.keyword_list == ["قطع", "برق"]


def test_order_is_editable_in_the_changelist(admin_client):
    priority = PriorityFactory()
    first = Rule.objects.create(name="الف", order=1, set_priority=priority)
    second = Rule.objects.create(name="ب", order=2, set_priority=priority)
    url = reverse("admin:automation_rule_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(first.pk),
        "form-0-order": "20",
        "form-0-is_active": "on",
        "form-1-id": str(second.pk),
        "form-1-order": "5",
        "form-1-is_active": "on",
        "_save": "Save",
    }
    assert admin_client.post(url, data).status_code == 302
    assert list(Rule.objects.values_list("name", flat=True)) == ["ب", "الف"]


@pytest.mark.parametrize("name", ["rule", "departmentrouting", "agentstatus"])
def test_admin_pages_render(admin_client, name):
    assert admin_client.get(reverse(f"admin:automation_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:automation_{name}_add")).status_code == 200
