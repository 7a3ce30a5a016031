"""Run several programs as one and stop them together (`manage.py runall`, i.e. `make run`).

Each child runs in a process group of its own, so a signal reaches the programs it starts too (runserver's
autoreloader child, the Celery worker's pool processes).

- SIGINT (Ctrl-C), SIGTERM or SIGHUP to the supervisor: every child's group gets SIGINT, which is what Ctrl-C gives
  a program run alone in a terminal (runserver and Celery stop cleanly on it); a group still alive after `grace`
  seconds is killed. The supervisor then exits 0.
- A child that exits by itself: the supervisor says which one and how, stops the others the same way and exits
  with the child's code (at least 1). It does not restart it: a crash stays in sight instead of looping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import TextIO

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass(frozen=True)
class Child:
    name: str
    argv: list[str]


def supervise(
    children: list[Child],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    announce: Callable[[], bool] | None = None,
    grace: float = 15.0,
    tick: float = 0.2,
    err: TextIO = sys.stderr,
) -> int:
    """Start `children`, watch them until a stop signal or until one exits, then stop them all; returns the exit
    code. `announce` is called every tick until it returns True (e.g. to print a banner once the site answers)."""
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: received.append(signum)) for sig in STOP_SIGNALS}
    running: dict[str, subprocess.Popen] = {}
    code = 0
    try:
        for child in children:
            if received:
                break
            running[child.name] = subprocess.Popen(  # noqa: S603 - our own commands
                child.argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, start_new_session=True
            )
        while not received:
            ended = next(((name, proc.returncode) for name, proc in running.items() if proc.poll() is not None), None)
            if ended:
                name, returncode = ended
                others = ", ".join(n for n in running if n != name) or "nothing"
                err.write(f"{name} stopped by itself ({_how(returncode)}): stopping {others}.\n")
                err.flush()
                code = returncode if returncode > 0 else 1
                break
            if announce is not None and announce():
                announce = None
            time.sleep(tick)
    finally:
        _stop(list(running.values()), grace=grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def _how(returncode: int) -> str:
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit code {returncode}"


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)  # the child's pid is its group's id (start_new_session)


def _group_alive(proc: subprocess.Popen) -> bool:
    proc.poll()  # reap the leader if it has exited, so it no longer counts
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(procs: list[subprocess.Popen], *, grace: float) -> None:
    """SIGINT to every group, then SIGKILL to the groups still alive `grace` seconds later."""
    for proc in procs:
        _signal_group(proc, signal.SIGINT)
    deadline = time.monotonic() + grace
    for proc in procs:
        while _group_alive(proc):
            if time.monotonic() >= deadline:
                _signal_group(proc, signal.SIGKILL)
                break
            time.sleep(0.05)
        proc.wait()
