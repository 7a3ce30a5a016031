"""A local stand-in for Kavenegar's REST API, for tests and the notifications benchmark.

An `http.server` in a thread on 127.0.0.1 (a free port). It speaks the real URL scheme
`/v1/{API-KEY}/{scope}/{method}.json` and envelope `{"return": {"status", "message"}, "entries"}`, records every
request, and answers by default like a healthy account:

- `sms/send` accepts the message (remembering it under its `localid`) and returns the entry;
- `sms/statuslocalmessageid` returns the remembered message, or status 100 ("no such message");
- `sms/receive` returns (and empties) `stub.inbox`; `account/info` returns some credit.

Script answers per endpoint with `stub.script("sms/send", Reply(http=500), Reply())`: the next calls get them in
order, then the default again. `stub.outage(seconds)` answers every call with an HTML 500 page for that long (a
gateway that is down); `stub.accepted_per_localid()` counts what was accepted under each `localid` (a phone that
got a message twice shows 2). `Reply(delay=…)` answers late (after doing the work, like a gateway whose answer is
lost in a timeout); `Reply(code=418)` answers with that `return.status`; `Reply(http=500, raw="<html>…")` answers
with something that is not JSON.

    with KavenegarStub() as stub:
        settings.KAVENEGAR_BASE_URL = stub.base_url
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_KEY = "TEST-KEY-0123456789abcdef"

MESSAGES = {
    200: "تایید شد",
    402: "عملیات ناموفق بود",
    409: "سرور قادر به پاسخگوئی نیست بعدا تلاش کنید",
    411: "دریافت کننده نامعتبر است",
    413: "پیام خالی است و یا طول پیام بیش از حد مجاز می‌باشد",
    418: "اعتبار حساب شما کافی نیست",
}


@dataclass
class Reply:
    code: int = 200  # return.status
    http: int | None = None  # HTTP status (default: 200, or the code when it is an error code)
    message: str = ""
    delay: float = 0.0  # seconds to wait before answering (the work is done first)
    raw: str | None = None  # a body that is not a Kavenegar envelope (e.g. an HTML error page)
    entries: object = None  # override the entries


@dataclass
class Call:
    endpoint: str  # "sms/send"
    api_key: str
    params: dict[str, str]
    http_method: str
    at: float = field(default_factory=time.monotonic)


class KavenegarStub:
    def __init__(self, api_key: str = API_KEY):
        self.api_key = api_key
        self.calls: list[Call] = []
        self.accepted: dict[str, dict] = {}  # localid (or a counter) → the entry of each accepted message
        self.accepted_localids: list[str] = []  # one per accepted send, in order (a repeat appears twice)
        self._outage_until = 0.0
        self._outage_reply = Reply()
        self.inbox: list[dict] = []
        self._script: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._next_id = 700000000
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                stub._handle(self, "POST", body)

            def do_GET(self):
                stub._handle(self, "GET", urlsplit(self.path).query)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- control ------------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> KavenegarStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> KavenegarStub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def script(self, endpoint: str, *replies: Reply) -> None:
        with self._lock:
            self._script[endpoint].extend(replies)

    def outage(self, seconds: float, reply: Reply | None = None) -> None:
        """For the next `seconds`, every call gets `reply` (default: an HTML 500 page) and nothing is done."""
        with self._lock:
            self._outage_until = time.monotonic() + seconds
            self._outage_reply = reply or Reply(http=500, raw="<html><body>500 Internal Server Error</body></html>")

    def accepted_per_localid(self) -> dict[str, int]:
        with self._lock:
            counts: dict[str, int] = {}
            for localid in self.accepted_localids:
                counts[localid] = counts.get(localid, 0) + 1
            return counts

    def calls_to(self, endpoint: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.endpoint == endpoint]

    @property
    def sent(self) -> list[dict]:
        """Messages the stub accepted (what a phone would receive)."""
        with self._lock:
            return list(self.accepted.values())

    # --- serving ------------------------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, http_method: str, query: str) -> None:
        path = urlsplit(handler.path).path
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "v1" or not parts[3].endswith(".json"):
            return self._respond(handler, 404, raw="not found")
        api_key, scope, method = parts[1], parts[2], parts[3].removesuffix(".json")
        endpoint = f"{scope}/{method}"
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        with self._lock:
            self.calls.append(Call(endpoint=endpoint, api_key=api_key, params=params, http_method=http_method))
            if time.monotonic() < self._outage_until:
                reply = self._outage_reply
            else:
                reply = self._script[endpoint].popleft() if self._script[endpoint] else Reply()
        if api_key != self.api_key and reply.code == 200 and reply.raw is None:
            reply = Reply(code=403, message="کلید API نامعتبر است")
        entries = None
        if reply.raw is None and reply.code == 200:
            entries = reply.entries if reply.entries is not None else self._work(endpoint, params)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.raw is not None:
            return self._respond(handler, reply.http or 500, raw=reply.raw)
        envelope = {"return": {"status": reply.code, "message": reply.message or MESSAGES.get(reply.code, "")}}
        if entries is not None:
            envelope["entries"] = entries
        http = reply.http or (200 if reply.code == 200 else reply.code if 400 <= reply.code < 600 else 200)
        return self._respond(handler, http, raw=json.dumps(envelope, ensure_ascii=False))

    def _work(self, endpoint: str, params: dict[str, str]):
        with self._lock:
            if endpoint == "sms/send":
                self._next_id += 1
                entry = {
                    "messageid": self._next_id,
                    "message": params.get("message", ""),
                    "status": 1,
                    "statustext": "در صف ارسال",
                    "sender": params.get("sender", "10004346"),
                    "receptor": params.get("receptor", ""),
                    "date": int(time.time()),
                    "cost": 120,
                }
                self.accepted[params.get("localid") or f"#{self._next_id}"] = entry
                self.accepted_localids.append(params.get("localid") or f"#{self._next_id}")
                return [entry]
            if endpoint == "sms/statuslocalmessageid":
                result = []
                for localid in params.get("localid", "").split(","):
                    entry = self.accepted.get(localid)
                    if entry:
                        result.append(
                            {"messageid": entry["messageid"], "localid": localid, "status": 10, "statustext": "رسیده"}
                        )
                    else:
                        result.append({"messageid": 0, "localid": localid, "status": 100, "statustext": "نامعتبر"})
                return result
            if endpoint == "sms/receive":
                received, self.inbox = self.inbox, []
                return received
            if endpoint == "account/info":
                return {"remaincredit": 150000, "expiredate": 1900000000, "type": "master"}
            return []

    @staticmethod
    def _respond(handler: BaseHTTPRequestHandler, status: int, *, raw: str) -> None:
        data = raw.encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): the work is done all the same
