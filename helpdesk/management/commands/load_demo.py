"""Load demo data (idempotent) and print the demo accounts. Refuses to run unless DEBUG is on."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each app that has demo data provides `<app>.demo.load() -> list[tuple[str, str, str]]`:
# the accounts it created or found, as (role label, login, password). Order matters (tickets need users).
DEMO_MODULES = ["accounts.demo", "tickets.demo", "knowledgebase.demo", "limits.demo"]


class Command(BaseCommand):
    help = "Create demo accounts and sample data (development only; safe to run twice)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is only loaded when DEBUG is on.")
        accounts: list[tuple[str, str, str]] = []
        with transaction.atomic():
            for name in DEMO_MODULES:
                try:
                    module = import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                accounts += module.load() or []
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Accounts:"))
        for role, login, password in accounts:
            self.stdout.write(f"  {role:<12} {login:<28} {password}")
