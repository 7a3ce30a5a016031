"""`manage.py rebuild_report_stats [--since YYYY-MM-DD]`: rebuild the reports' daily roll-up from the live tables
(every day up to yesterday, or from `--since`, a Gregorian date). Safe to run at any time."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import stats
from reports.models import StatsState


class Command(BaseCommand):
    help = "Rebuild the reports' daily roll-up (DailyTicketStat) up to yesterday, from --since or from the start."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=dt.date.fromisoformat, help="first day to rebuild (YYYY-MM-DD)")

    def handle(self, *args, since: dt.date | None = None, **options) -> None:
        if since is not None and not StatsState.objects.exists():
            raise CommandError("The roll-up has never been built: run the command without --since first.")
        done = stats.rebuild_all(since)
        self.stdout.write(f"Rebuilt {done['days']} days ({done['rows']} rows).")
