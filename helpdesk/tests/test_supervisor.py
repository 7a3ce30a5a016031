"""The supervisor of `make run` (helpdesk/supervisor.py) with small Python programs as children: a stop signal or a
child that dies stops every child and what the children started; nothing is left behind."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpdesk.supervisor import Child, supervise

from .processes import alive, wait_until_gone

ROOT = Path(__file__).resolve().parents[2]

# Starts a grandchild (in its process group), then writes both pids to argv[1] and sleeps. With argv[2] == "stubborn"
# both ignore SIGINT, so only the SIGKILL after the grace period stops them.
FAMILY = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    stubborn = len(sys.argv) > 2
    if stubborn:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sleeper = "import signal, time\\n" + ("signal.signal(signal.SIGINT, signal.SIG_IGN)\\n" if stubborn else "")
    grandchild = subprocess.Popen([sys.executable, "-c", sleeper + "time.sleep(120)"])
    with open(sys.argv[1] + ".part", "w") as f:
        f.write(f"{os.getpid()} {grandchild.pid}")
    os.replace(sys.argv[1] + ".part", sys.argv[1])
    time.sleep(120)
    """
)


def family(tmp_path: Path, name: str, *extra: str) -> tuple[Child, Path]:
    pidfile = tmp_path / f"{name}.pids"
    return Child(name, [sys.executable, "-c", FAMILY, str(pidfile), *extra]), pidfile


def read_pids(*pidfiles: Path, timeout: float = 30.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while not all(p.exists() for p in pidfiles):
        assert time.monotonic() < deadline, "the children did not start"
        time.sleep(0.05)
    return {int(pid) for p in pidfiles for pid in p.read_text().split()}


def test_a_child_that_dies_stops_the_others_and_their_children(tmp_path):
    calm, calm_pids = family(tmp_path, "calm")
    stubborn, stubborn_pids = family(tmp_path, "stubborn", "stubborn")
    # Exits with code 3 once the others have started (so their pids are known).
    crash = Child(
        "crash",
        [
            sys.executable,
            "-c",
            f"import os, sys, time\nwhile not (os.path.exists({str(calm_pids)!r}) and os.path.exists("
            f"{str(stubborn_pids)!r})):\n    time.sleep(0.05)\nsys.exit(3)",
        ],
    )
    err = io.StringIO()

    code = supervise([calm, stubborn, crash], grace=1.0, err=err)

    assert code == 3
    assert err.getvalue() == "crash stopped by itself (exit code 3): stopping calm, stubborn.\n"
    pids = read_pids(calm_pids, stubborn_pids)
    assert len(pids) == 4
    assert wait_until_gone(pids) == set()


def test_a_child_killed_by_a_signal_is_named_and_the_code_is_not_zero(tmp_path):
    calm, calm_pids = family(tmp_path, "calm")
    victim = Child("victim", [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"])
    err = io.StringIO()

    assert supervise([calm, victim], grace=5.0, err=err) == 1
    assert err.getvalue() == "victim stopped by itself (killed by SIGKILL): stopping calm.\n"


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_to_the_supervisor_stops_every_child_and_grandchild(tmp_path, stop_signal):
    one, one_pids = family(tmp_path, "one")
    two, two_pids = family(tmp_path, "two")
    program = textwrap.dedent(
        f"""
        import sys
        from helpdesk.supervisor import Child, supervise
        sys.exit(supervise([Child("one", {one.argv!r}), Child("two", {two.argv!r})], grace=5.0))
        """
    )
    supervisor = subprocess.Popen([sys.executable, "-c", program], cwd=ROOT, start_new_session=True)
    try:
        pids = read_pids(one_pids, two_pids)
        assert all(alive(pid) for pid in pids)

        os.kill(supervisor.pid, stop_signal)

        assert supervisor.wait(timeout=30) == 0
        assert wait_until_gone(pids) == set()
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
