"""Render every message body's stored HTML again (after a change of the Markdown renderer or the sanitiser)."""

from django.core.management.base import BaseCommand, CommandParser

from tickets.services import message_rebuild_html
from tickets.services.messages import HTML_BATCH


class Command(BaseCommand):
    help = "Re-render the stored HTML of every ticket message, in batches; safe to run again (writes only changes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=HTML_BATCH, help="rows per transaction")

    def handle(self, *args: object, **options: object) -> None:
        batch_size = options["batch_size"]
        assert isinstance(batch_size, int)
        written = message_rebuild_html(batch_size=max(1, batch_size))
        self.stdout.write(f"{written} message(s) re-rendered.")
