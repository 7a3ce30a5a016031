"""The embedded broker of development (helpdesk/broker.py): kombu's filesystem transport that creates its folders
and never lets the consumer read a message that is still being written."""

from __future__ import annotations

import os
import uuid

from kombu import Connection

TRANSPORT = "helpdesk.broker:Transport"


def queue_name() -> str:
    """A queue of the test's own: kombu remembers the bindings of every filesystem channel of the process."""
    return f"jobs{uuid.uuid4().hex[:8]}"


def connection(tmp_path) -> Connection:
    queue = tmp_path / "broker" / "queue"  # does not exist yet
    options = {"data_folder_in": str(queue), "data_folder_out": str(queue), "control_folder": str(tmp_path / "ctl")}
    return Connection("filesystem://", transport=TRANSPORT, transport_options=options)


def test_a_message_goes_through_folders_that_did_not_exist(tmp_path):
    with connection(tmp_path) as conn:
        name = queue_name()
        queue = conn.SimpleQueue(name)
        queue.put({"task": "tickets.tasks.scan_sla"})
        assert [f.endswith(f".{name}.msg") for f in os.listdir(tmp_path / "broker" / "queue")] == [True]

        message = queue.get(timeout=5)
        assert message.payload == {"task": "tickets.tasks.scan_sla"}
        message.ack()
        queue.close()
    assert os.listdir(tmp_path / "broker" / "queue") == []  # nothing kept once taken


def test_a_message_still_being_written_is_not_taken(tmp_path):
    with connection(tmp_path) as conn:
        name = queue_name()
        queue = conn.SimpleQueue(name)
        folder = tmp_path / "broker" / "queue"
        # What a publisher leaves while it writes: the hidden name, not yet renamed (sorted first, and empty).
        (folder / f".0_half.{name}.msg.part").write_bytes(b"")
        queue.put({"n": 1})

        message = queue.get(timeout=5)
        assert message.payload == {"n": 1}
        message.ack()
        assert os.listdir(folder) == [f".0_half.{name}.msg.part"]
        queue.close()
