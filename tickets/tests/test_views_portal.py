"""The customer portal: "my tickets" and filing a ticket (F01, G3, G6)."""

import pytest
from django.urls import reverse

from accounts.models import Organisation
from helpdesk.models import SiteSettings
from helpdesk.tests.pins import pinned_get
from tickets.models import Attachment, Channel, Status, Ticket

from .factories import DepartmentFactory, TicketFactory, TicketTypeFactory
from .views_support import html_file, png, text_file

pytestmark = pytest.mark.django_db

PORTAL = "/tickets/"
CREATE = "/tickets/new/"


def test_names_the_shell_looks_up():
    assert reverse("tickets:portal") == PORTAL
    assert reverse("tickets:create") == CREATE
    assert reverse("tickets:queue") == "/tickets/queue/"


# --- my tickets ---------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PORTAL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_lists_own_tickets_with_status_and_last_activity_in_persian(client, customer, stranger, make_ticket):
    mine = make_ticket(subject="چاپگر خراب است")
    theirs = make_ticket(requester=stranger, subject="تیکت دیگری")
    client.force_login(customer)
    response = client.get(PORTAL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "چاپگر خراب است" in html
    assert "تیکت دیگری" not in html and theirs.reference not in html
    persian_ref = mine.reference.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"#{persian_ref}" in html
    assert "جدید" in html  # the status, translated
    assert "۱۴" in html  # a Jalali year (14xx) with Persian digits


def test_shows_the_organisations_tickets_only_when_it_shares_them(client, customer, colleague, org, make_ticket):
    make_ticket(requester=colleague, subject="درخواست همکار")
    client.force_login(customer)
    assert "درخواست همکار" not in client.get(PORTAL).content.decode()

    Organisation.objects.filter(pk=org.pk).update(sharing=Organisation.Sharing.ALL)
    html = client.get(PORTAL).content.decode()
    assert "درخواست همکار" in html
    assert colleague.full_name in html  # says who filed it


def test_internal_tickets_never_show(client, customer, agent, department):
    TicketFactory(requester=customer, department=department, is_internal=True, subject="داخلی")
    client.force_login(customer)
    assert "داخلی" not in client.get(PORTAL).content.decode()


def test_paginates_with_the_admins_records_per_page(client, customer, department):
    SiteSettings.objects.update_or_create(pk=1, defaults={"records_per_page": 5})
    for i in range(7):
        TicketFactory(requester=customer, department=department, subject=f"مورد {i}")
    client.force_login(customer)
    first = client.get(PORTAL)
    assert len(first.context["page_obj"].object_list) == 5
    second = client.get(PORTAL + "?page=2")
    assert len(second.context["page_obj"].object_list) == 2


@pytest.mark.pins("tickets:portal")
def test_query_count_does_not_grow_with_rows(client, customer, department):
    TicketFactory(requester=customer, department=department)
    client.force_login(customer)
    pinned_get(client, PORTAL, 4)
    for _ in range(29):
        TicketFactory(requester=customer, department=department)
    response = pinned_get(client, PORTAL, 4)
    assert len(response.context["page_obj"].object_list) == 25


def test_staff_go_to_the_queue(client, agent):
    client.force_login(agent)
    response = client.get(PORTAL)
    assert response.status_code == 302 and response["Location"] == reverse("tickets:queue")


# --- filing a ticket ----------------------------------------------------------------------------------------


def test_form_offers_public_departments_and_types_only(client, customer, department):
    hidden = DepartmentFactory(name="واحد داخلی", is_public=False)
    inactive = DepartmentFactory(name="واحد قدیمی", is_active=False)
    TicketTypeFactory(name="نوع عمومی")
    TicketTypeFactory(name="نوع کارکنان", is_public=False)
    client.force_login(customer)
    form = client.get(CREATE).context["form"]
    departments = list(form.fields["department"].queryset)
    assert department in departments and hidden not in departments and inactive not in departments
    names = [t.name for t in form.fields["type"].queryset]
    assert "نوع عمومی" in names and "نوع کارکنان" not in names


def test_type_prefills_the_text_with_its_template(client, customer, department):
    ticket_type = TicketTypeFactory(description_template="شماره فاکتور:\nشرح مشکل:", default_department=department)
    client.force_login(customer)
    response = client.get(CREATE + f"?type={ticket_type.pk}&subject=سلام")
    form = response.context["form"]
    assert form.initial["body"] == "شماره فاکتور:\nشرح مشکل:"
    assert form.initial["subject"] == "سلام"
    html = response.content.decode()
    assert "شماره فاکتور:" in html
    assert 'id="ticket-type-templates"' in html  # for the script that fills it on change


def test_files_a_ticket_with_several_attachments(client, customer, department):
    client.force_login(customer)
    response = client.post(
        CREATE,
        {
            "department": department.pk,
            "subject": "  چاپگر   کار نمی‌کند ",
            "body": "از دیروز **هیچ** چیزی چاپ نمی‌شود.",
            "attachments": [png("a.png"), text_file("log.txt")],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", args=[ticket.reference])
    assert ticket.requester == customer and ticket.channel == Channel.WEB and ticket.status == Status.NEW
    assert ticket.subject == "چاپگر کار نمی‌کند"
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["a.png", "log.txt"]
    page = client.get(response["Location"]).content.decode()
    assert "چاپگر کار نمی‌کند" in page and "<strong>هیچ</strong>" in page and "log.txt" in page


def test_type_that_needs_a_file_is_refused_without_one(client, customer, department):
    ticket_type = TicketTypeFactory(name="استرداد", attachment_required=True)
    client.force_login(customer)
    response = client.post(CREATE, {"department": department.pk, "type": ticket_type.pk, "subject": "س", "body": "متن"})
    assert response.status_code == 400
    assert "استرداد" in str(response.context["form"].errors["attachments"])
    assert not Ticket.objects.exists()


def test_a_too_long_subject_is_refused_in_persian_digits(client, customer, department):
    """Every length limit on the site speaks with the page's digits, not Django's «…مساوی 200»."""
    client.force_login(customer)
    response = client.post(CREATE, {"department": department.pk, "subject": "x" * 241, "body": "متن"})
    assert response.status_code == 400
    assert response.context["form"].errors["subject"] == ["حداکثر ۲۰۰ نویسه وارد کنید (این ۲۴۱ نویسه دارد)."]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "", "body": "متن"}, "subject"),
        ({"subject": "موضوع", "body": "   "}, "body"),
        ({"subject": "x" * 201, "body": "متن"}, "subject"),
        ({"subject": "موضوع", "body": "متن", "department": ""}, "department"),
        ({"subject": "موضوع", "body": "متن", "department": "999999"}, "department"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(client, customer, department, data, field):
    client.force_login(customer)
    response = client.post(CREATE, {"department": department.pk, **data})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Ticket.objects.exists()


def test_private_department_is_refused(client, customer):
    private = DepartmentFactory(is_public=False)
    client.force_login(customer)
    response = client.post(CREATE, {"department": private.pk, "subject": "س", "body": "م"})
    assert response.status_code == 400 and response.context["form"].errors["department"]
    assert not Ticket.objects.exists()


def test_dangerous_file_is_refused_in_persian_and_nothing_is_saved(client, customer, department):
    client.force_login(customer)
    response = client.post(
        CREATE,
        {"department": department.pk, "subject": "س", "body": "م", "attachments": [png(), html_file()]},
    )
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "HTML" in errors and "امنیت" in errors
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_oversized_file_names_the_limit(client, customer, department):
    SiteSettings.objects.update_or_create(pk=1, defaults={"max_upload_mb": 1})
    client.force_login(customer)
    big = text_file("big.txt", b"a" * (1024 * 1024 + 10))
    response = client.post(CREATE, {"department": department.pk, "subject": "س", "body": "م", "attachments": [big]})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "«\u2068big.txt\u2069» ۱٫۰ مگابایت است؛ بیشترین حجم مجاز برای پیوست ۱٫۰ مگابایت است." in errors
    assert not Ticket.objects.exists()


def test_spoofed_file_type_is_refused(client, customer, department):
    client.force_login(customer)
    fake = text_file("photo.png", b"this is not a png at all")
    response = client.post(CREATE, {"department": department.pk, "subject": "س", "body": "م", "attachments": [fake]})
    assert response.status_code == 400 and response.context["form"].errors["attachments"]
    assert not Ticket.objects.exists()


def test_staff_file_tickets_on_the_staff_form(client, agent):
    client.force_login(agent)
    response = client.get(CREATE)
    assert response.status_code == 302 and response["Location"] == reverse("tickets:staff_create")
