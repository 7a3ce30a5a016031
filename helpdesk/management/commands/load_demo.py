"""Load demo data (idempotent) and print the demo accounts. Refuses to run unless DEBUG is on."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule


def demo_modules() -> list[str]:
    """Each installed app that has demo data provides `<app>.demo.load() -> list[tuple[str, str, str]]`: the
    accounts it created or found, as (role label, login, password). They load in INSTALLED_APPS order, which is the
    floors' order (tickets need users), and the core names none of them."""
    return [f"{c.name}.demo" for c in apps.get_app_configs() if module_has_submodule(c.module, "demo")]


class Command(BaseCommand):
    help = "Create demo accounts and sample data (development only; safe to run twice)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is only loaded when DEBUG is on.")
        accounts: list[tuple[str, str, str]] = []
        with transaction.atomic():
            for name in demo_modules():
                accounts += import_module(name).load() or []
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Accounts:"))
        for role, login, password in accounts:
            self.stdout.write(f"  {role:<12} {login:<28} {password}")
