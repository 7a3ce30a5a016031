"""`make bench` over HTTP: the pages through gunicorn (sync workers) with a load generator on the loopback.

The generator is this process: threads (two per gunicorn worker) that each send requests back to back on a new
connection (gunicorn's sync workers close it after each response), with the session cookie of a user logged in
server-side (`Client.force_login` writes the session row; the cookie is sent as a browser would). Per page and
worker count: requests per second, median and p99 latency, errors; per worker count: the peak resident memory of
each worker (VmHWM in /proc/<pid>/status). The generator shares the 2 cores with the server, so the figures are
a lower bound of what the server alone would do.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.test import Client

from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, url: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1", "Accept-Language": "fa"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _load(port: int, url: str, cookie: str, threads: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        mine, bad = [], 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                ok = _get(port, url, cookie) == 200
            except OSError:
                ok = False
            if ok:
                mine.append((time.perf_counter() - t0) * 1000)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))] if latencies else 0.0
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "median": statistics.median(latencies) if latencies else 0.0,
        "p99": p99,
        "errors": errors[0],
        "threads": threads,
    }


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(user: User, pages: list[tuple[str, str]], worker_counts: list[int], seconds: float) -> list[dict]:
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    results = []
    for workers in worker_counts:
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [str(GUNICORN), "helpdesk.wsgi:application", "--chdir", str(ROOT), "-w", str(workers),
             "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"],
            env=env,
        )  # fmt: skip
        try:
            deadline = time.perf_counter() + 90
            while True:
                try:
                    if _get(port, "/", cookie) == 200:
                        break
                except OSError:
                    pass
                if time.perf_counter() > deadline or server.poll() is not None:
                    raise SystemExit("bench: gunicorn did not answer")
                time.sleep(0.5)
            rows = []
            for label, url in pages:
                for _ in range(3 * workers):  # warm every worker (templates, caches, connection)
                    _get(port, url, cookie)
                row = _load(port, url, cookie, threads=2 * workers, seconds=seconds)
                row.update(workers=workers, label=label, url=url)
                print(f"  gunicorn {workers} workers, {label:<22} {row['rps']:6.1f} req/s  median {row['median']:6.1f} "
                      f"ms  p99 {row['p99']:7.1f} ms  errors {row['errors']}", flush=True)  # fmt: skip
                rows.append(row)
            rss = [_peak_rss_mb(pid) for pid in _children(server.pid)]
            for row in rows:
                row["rss"] = rss
            results += rows
        finally:
            server.terminate()
            server.wait(timeout=30)
    return results


def report(rows: list[dict]) -> list[str]:
    lines = [
        "## Over HTTP (gunicorn)",
        "",
        "gunicorn sync workers on 127.0.0.1, load from threads of the bench process (two per worker, one request",
        "at a time each, a new connection per request), logged-in manager session; after warm-up requests.",
        "The load generator shares the 2 cores with the workers.",
        "",
        "| workers | page | threads | requests | req/s | median (ms) | p99 (ms) | errors | peak RSS per worker (MB) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        rss = ", ".join(f"{m:.0f}" for m in r["rss"])
        lines.append(
            f"| {r['workers']} | {r['label']} | {r['threads']} | {r['requests']:,} | {r['rps']:.1f} | "
            f"{r['median']:.1f} | {r['p99']:.1f} | {r['errors']} | {rss} |"
        )
    return lines
