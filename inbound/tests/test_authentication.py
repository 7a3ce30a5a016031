"""The verdict on a sender (`inbound.services.authentication`): RFC 8601 `Authentication-Results`, only our
provider's header trusted."""

from __future__ import annotations

import pytest

from inbound.services.authentication import Verdict, evaluate, parse

OURS = ["mx.inbound.example.com"]


def verdict(*headers: str, from_domain: str = "example.com", ids=OURS) -> Verdict:
    return evaluate(headers=headers, from_domain=from_domain, authserv_ids=ids).verdict


def test_parse_reads_the_id_the_methods_and_their_properties_across_comments_quotes_and_folding():
    authserv_id, results = parse(
        "MX.Inbound.example.com 1; (a comment; with a semicolon)\r\n\tdkim = pass (2048-bit key) header.d=Example.com "
        'header.s=sel; spf=softfail reason="ip not listed; really" smtp.mailfrom=bounce@example.com;\r\n '
        "dmarc=fail (p=reject dis=none) header.from=example.com"
    )
    assert authserv_id == "mx.inbound.example.com"
    assert [(r.method, r.result) for r in results] == [("dkim", "pass"), ("spf", "softfail"), ("dmarc", "fail")]
    assert results[0].properties == {"header.d": "example.com", "header.s": "sel"}
    assert results[1].properties == {"smtp.mailfrom": "bounce@example.com"}
    assert parse("mx.inbound.example.com; none") == ("mx.inbound.example.com", ())
    assert parse("  ") is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("mx.inbound.example.com; dmarc=pass header.from=example.com", Verdict.PASS),
        ("mx.inbound.example.com; dkim=pass header.d=example.com; spf=fail", Verdict.PASS),  # aligned DKIM
        ("mx.inbound.example.com; dkim=pass header.d=example.com", Verdict.PASS),
        ("mx.inbound.example.com; dmarc=fail header.from=example.com; dkim=pass header.d=example.com", Verdict.FAIL),
        ("mx.inbound.example.com; dkim=pass header.d=mailer.example.net; spf=pass", Verdict.NONE),  # not aligned
        ("mx.inbound.example.com; dkim=pass header.d=mailer.example.net; spf=softfail", Verdict.FAIL),
        ("mx.inbound.example.com; dkim=fail header.d=example.com", Verdict.FAIL),
        ("mx.inbound.example.com; spf=fail smtp.mailfrom=example.com", Verdict.FAIL),
        ("mx.inbound.example.com; dmarc=none; dkim=none; spf=neutral", Verdict.NONE),
        ("mx.inbound.example.com; dmarc=temperror", Verdict.NONE),
        ("mx.inbound.example.com; none", Verdict.NONE),
        ("mx.inbound.example.com; dmarc=pass header.from=evil.example", Verdict.NONE),  # another From domain
    ],
)
def test_the_verdict_of_our_header(header, expected):
    assert verdict(header) == expected


def test_relaxed_alignment_takes_a_parent_domain_never_a_bare_suffix():
    assert verdict("mx.inbound.example.com; dkim=pass header.d=example.com", from_domain="mail.example.com") == "pass"
    assert verdict("mx.inbound.example.com; dkim=pass header.d=com", from_domain="example.com") == "none"
    assert verdict("mx.inbound.example.com; dkim=pass header.d=ample.com", from_domain="example.com") == "none"


def test_a_header_claiming_another_authserv_id_is_ignored():
    forged = "mx.google.com; dmarc=pass header.from=example.com; dkim=pass header.d=example.com"
    assert verdict(forged) == Verdict.NONE
    assert verdict(forged, "mx.inbound.example.com; dmarc=fail header.from=example.com") == Verdict.FAIL


def test_only_the_topmost_header_of_ours_counts_a_forged_one_below_it_does_not():
    ours = "mx.inbound.example.com; dkim=none; spf=softfail"
    forged_below = "mx.inbound.example.com; dmarc=pass header.from=example.com"
    result = evaluate(headers=[ours, forged_below], from_domain="example.com", authserv_ids=OURS)
    assert result.verdict == Verdict.FAIL
    assert result.summary == "mx.inbound.example.com: dkim=none spf=softfail"


def test_without_an_authserv_id_configured_nothing_is_trusted():
    header = "mx.inbound.example.com; dmarc=pass header.from=example.com"
    assert verdict(header, ids=[]) == Verdict.NONE
    assert verdict(header, ids=["", " "]) == Verdict.NONE
    assert verdict(header, ids=["other.example", "MX.INBOUND.EXAMPLE.COM"]) == Verdict.PASS
    assert evaluate(headers=[], from_domain="example.com", authserv_ids=OURS).summary == (
        "no Authentication-Results of ours"
    )


def test_no_from_domain_never_passes_by_dkim():
    assert verdict("mx.inbound.example.com; dkim=pass header.d=example.com", from_domain="") == Verdict.NONE


@pytest.mark.parametrize(
    "garbage",
    ["", ";;;", "(((unclosed", '"unterminated; dmarc=pass', "mx.inbound.example.com; =pass; dkim=; ==", "\x00\ufffd"],
)
def test_garbage_is_no_verdict_and_never_an_error(garbage):
    assert verdict(garbage) == Verdict.NONE
