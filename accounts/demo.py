"""Demo accounts for development (`manage.py load_demo`, DEBUG only): one per role, and an organisation whose two
customer members see each other's tickets. Idempotent: existing accounts are found by email and left as they are."""

from django.utils.translation import gettext_lazy as _

from . import services
from .models import Organisation, Role, User

PASSWORD = "demo1234"  # noqa: S105 - development only; load_demo refuses to run without DEBUG
ORGANISATION_NAME = "شرکت نمونه پارس"

# (role, email, mobile, full name); the first two customers belong to the demo organisation.
DEMO_USERS = [
    (Role.CUSTOMER, "customer@example.com", "09120000001", "مریم احمدی"),
    (Role.CUSTOMER, "customer2@example.com", "09120000002", "علی رضایی"),
    (Role.AGENT, "agent@example.com", "09120000003", "سارا کریمی"),
    (Role.SUPERVISOR, "supervisor@example.com", "09120000004", "رضا محمدی"),
    (Role.MANAGER, "manager@example.com", "09120000005", "نرگس حسینی"),
    (Role.ADMIN, "admin@example.com", "09120000006", "مدیر سامانه"),
]
ORGANISATION_MEMBERS = ("customer@example.com", "customer2@example.com")


def load() -> list[tuple[str, str, str]]:
    organisation, _created = Organisation.objects.get_or_create(
        name=ORGANISATION_NAME, defaults={"sharing": Organisation.Sharing.ALL}
    )
    accounts = []
    for role, email, mobile, full_name in DEMO_USERS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = _create(role=role, email=email, mobile=mobile, full_name=full_name)
        if email in ORGANISATION_MEMBERS and user.organisation_id is None and user.role == Role.CUSTOMER:
            services.organisation_add_member(organisation=organisation, user=user)
        label = Role(role).label
        if email in ORGANISATION_MEMBERS:
            label = _("%(role)s (%(organisation)s)") % {"role": label, "organisation": ORGANISATION_NAME}
        accounts.append((str(label), email, PASSWORD))
    return accounts


def _create(*, role: str, email: str, mobile: str | None, full_name: str) -> User:
    if User.objects.filter(mobile=mobile).exists():
        mobile = None  # someone took the demo number; the account still logs in by email
    if role == Role.CUSTOMER:
        return services.customer_create(full_name=full_name, email=email, mobile=mobile, password=PASSWORD)
    return services.employee_create(full_name=full_name, role=role, email=email, mobile=mobile, password=PASSWORD)
