"""Who really sent an email: the verdict (pass / fail / none) of our receiving provider's `Authentication-Results`
header (RFC 8601) on the message's `From:` domain.

Only the header written by OUR provider counts: the first (topmost, so the last added) one whose authserv-id is one
of INBOUND_AUTHSERV_ID. A sender can write any `Authentication-Results` into a message, with any authserv-id,
ours included; a provider strips or outranks those claiming its own id (RFC 8601 §5), and adds its own on top.

- pass: DMARC passed for the From domain, or a DKIM signature of the From domain (or of a parent domain of it:
  relaxed alignment) passed;
- fail: DMARC failed, or nothing passed and DKIM or SPF failed;
- none: no header of ours, or no result either way (none, neutral, temporary or permanent errors, a DKIM pass of
  some other domain).

Pure functions, no database: `evaluate()` takes the header values and the From domain.
(`Verdict` is the model's choices, as the row stores it.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import Verdict

METHODS = ("dmarc", "dkim", "spf")
_NEGATIVE = {"dkim": {"fail", "policy"}, "spf": {"fail", "softfail"}}


@dataclass(frozen=True)
class Result:
    """One `method=result` of a header, with its properties (`header.d`, `header.from`, `smtp.mailfrom`, …)."""

    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Authentication:
    verdict: Verdict
    results: tuple[Result, ...] = ()
    authserv_id: str = ""  # of the header that was read ("" when none was ours)

    @property
    def passed(self) -> bool:
        return self.verdict == Verdict.PASS

    @property
    def summary(self) -> str:
        """e.g. "mx.example.com: dmarc=fail dkim=none spf=softfail", or "no Authentication-Results of ours"."""
        if not self.authserv_id:
            return "no Authentication-Results of ours"
        found = " ".join(f"{r.method}={r.result}" for r in self.results if r.method in METHODS)
        return f"{self.authserv_id}: {found or 'none'}"


# --- parsing (RFC 8601 §2.2) -------------------------------------------------------------------------------------


def _without_comments(text: str) -> str:
    """`text` with its (nested) comments removed; quoted strings kept as they are."""
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for char in text:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\" and (quoted or depth):
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if quoted:
            quoted = char != '"'
            out.append(char)
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif depth == 0:
            quoted = char == '"'
            out.append(" " if char in "\r\n\t" else char)
    return "".join(out)


def _split(text: str, separators: str) -> list[str]:
    """`text` split at any of `separators` outside quoted strings (empty parts dropped)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char in separators and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value.strip()


def _tight(text: str) -> str:
    """No space around "=", "/" and "." outside quoted strings (RFC 8601 allows it: `dkim = pass`)."""
    out: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if not quoted and char in "=/." and out:
            while out and out[-1] == " ":
                out.pop()
        if not quoted and char == " " and out and out[-1] in "=/.":
            continue
        out.append(char)
    return "".join(out)


def _result(resinfo: str) -> Result | None:
    words = _split(_tight(" ".join(resinfo.split())), " ")
    if not words or "=" not in words[0]:
        return None
    method, _eq, result = words[0].partition("=")
    properties: dict[str, str] = {}
    for word in words[1:]:
        name, eq, value = word.partition("=")
        if eq and name and name.lower() != "reason":
            properties.setdefault(name.lower(), _unquote(value).lower())
    return Result(method=method.split("/", 1)[0].lower(), result=_unquote(result).lower(), properties=properties)


def parse(value: str) -> tuple[str, tuple[Result, ...]] | None:
    """(authserv-id, results) of one header value; None when it has no authserv-id."""
    parts = _split(_without_comments(str(value)), ";")
    if not parts:
        return None
    head = _split(parts[0], " ")
    authserv_id = _unquote(head[0]).lower().rstrip(".") if head else ""
    if not authserv_id:
        return None
    results = tuple(r for r in (_result(part) for part in parts[1:]) if r is not None)
    return authserv_id, results


# --- the verdict -------------------------------------------------------------------------------------------------


def _aligned(domain: str, from_domain: str) -> bool:
    """DKIM's `header.d` aligned with the From domain (relaxed): the same domain, or a parent of it with at least
    two labels (`example.com` signs for `mail.example.com`, `com` never does)."""
    domain = domain.strip().lower().rstrip(".")
    return bool(domain) and (domain == from_domain or (domain.count(".") >= 1 and from_domain.endswith("." + domain)))


def _judge(results: tuple[Result, ...], from_domain: str) -> Verdict:
    of = {method: [r for r in results if r.method == method] for method in METHODS}
    dmarc = [r for r in of["dmarc"] if r.properties.get("header.from", from_domain) == from_domain]
    if any(r.result == "fail" for r in dmarc):
        return Verdict.FAIL
    if any(r.result == "pass" for r in dmarc):
        return Verdict.PASS
    signed = [r.properties.get("header.d", "") for r in of["dkim"] if r.result == "pass"]
    if from_domain and any(_aligned(domain, from_domain) for domain in signed):
        return Verdict.PASS
    if any(r.result in _NEGATIVE.get(r.method, ()) for r in results):
        return Verdict.FAIL
    return Verdict.NONE


def evaluate(*, headers: Iterable[str], from_domain: str, authserv_ids: Iterable[str]) -> Authentication:
    """The verdict on a message whose `Authentication-Results` header values are `headers` (in the message's order,
    the topmost first) and whose From address is at `from_domain`. Only the first header of one of `authserv_ids`
    is read; with no ids configured, none is trusted."""
    ours = {i.strip().lower().rstrip(".") for i in authserv_ids if i and i.strip()}
    from_domain = (from_domain or "").strip().lower().rstrip(".")
    for value in headers:
        parsed = parse(value)
        if parsed is not None and parsed[0] in ours:
            authserv_id, results = parsed
            return Authentication(verdict=_judge(results, from_domain), results=results, authserv_id=authserv_id)
    return Authentication(verdict=Verdict.NONE)
