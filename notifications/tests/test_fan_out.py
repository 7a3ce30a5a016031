"""A large write of pending rows (a batch of the SLA scan) is handed to a worker in a few `fan_out` messages."""

from __future__ import annotations

import pytest

from notifications import outbox, tasks


@pytest.fixture
def published(monkeypatch):
    calls: list[list[int]] = []
    monkeypatch.setattr(tasks.fan_out, "apply_async", lambda args, **kwargs: calls.append(list(args[0])))
    return calls


def test_one_message_per_thousand_rows(published):
    assert outbox.enqueue_many(list(range(2500))) == 2500
    assert [len(chunk) for chunk in published] == [1000, 1000, 500]
    assert published[2][-1] == 2499


def test_a_broker_error_leaves_the_rest_for_the_sweep(monkeypatch, caplog):
    sent: list[int] = []

    def publish(args, **kwargs):
        if sent:
            raise ConnectionError("broker down")
        sent.append(len(args[0]))

    monkeypatch.setattr(tasks.fan_out, "apply_async", publish)
    assert outbox.enqueue_many(list(range(1500))) == 1000
    assert "500 notifications stay pending for the sweep" in caplog.text


def test_the_worker_queues_each_delivery(monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(outbox, "enqueue", lambda ids: queued.extend(ids) or len(ids))
    assert tasks.fan_out([5, 6, 7]) == 3
    assert queued == [5, 6, 7]
