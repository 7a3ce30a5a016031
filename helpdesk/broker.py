"""The embedded Celery broker of development (`make run` without `CELERY_BROKER_URL`): kombu's filesystem transport,
one file per message in a folder under `RUN_DIR` (settings `CELERY_BROKER_TRANSPORT_OPTIONS`).

Two changes to kombu's transport, nothing else:
- a message is written under a hidden name and renamed into place, so the consumer never reads a half-written file
  (kombu writes in place: a worker that lists the folder between the create and the write reads an empty file and
  dies of a JSON error; celery/kombu issue 1551);
- the folders are created when missing, so any process (`manage.py load_demo`, a shell) can publish before the
  worker has ever run.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for folder in (self.data_folder_in, self.data_folder_out, self.control_folder):
            os.makedirs(folder, exist_ok=True)

    def _put(self, queue, payload, **kwargs):
        # kombu's name (sortable by time, per queue); the consumer skips names without the `<queue>.msg` ending.
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
