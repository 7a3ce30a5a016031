"""Factories for users and organisations, shared by every app's tests."""

import factory

from accounts.models import Organisation, Role, User

PASSWORD = "pass-1234-word"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"شرکت نمونه {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    full_name = factory.Sequence(lambda n: f"کاربر {n}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    mobile = factory.Sequence(lambda n: f"0912{n:07d}")
    role = Role.CUSTOMER

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class CustomerFactory(UserFactory):
    role = Role.CUSTOMER


class AgentFactory(UserFactory):
    role = Role.AGENT


class SupervisorFactory(UserFactory):
    role = Role.SUPERVISOR


class ManagerFactory(UserFactory):
    role = Role.MANAGER


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True
