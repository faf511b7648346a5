"""observable_keys: the values of SCOs, patterns, documents and contact information."""

from __future__ import annotations

from typing import Any

import pytest

from accord.correlate.extract import observable_keys, pattern_comparisons

SHA256 = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
MD5 = "D41D8CD98F00B204E9800998ECF8427E"


def pairs(obj: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key.kind, key.value) for key in observable_keys(obj)]


def indicator(pattern: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
        **properties,
    }


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"type": "domain-name", "value": "EXAMPLE.org."}, [("domain", "example.org")]),
        ({"type": "ipv4-addr", "value": "10.1.2.3/24"}, [("ipv4", "10.1.2.0/24")]),
        ({"type": "ipv6-addr", "value": "2001:DB8::1"}, [("ipv6", "2001:db8::1")]),
        ({"type": "email-addr", "value": "A@Example.org"}, [("email", "a@example.org")]),
        (
            {"type": "cryptocurrency-wallet", "value": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"},
            [("crypto", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT")],
        ),
        (
            {"type": "x-opencti-cryptocurrency-wallet", "value": "0xABCDEF0123456789abcdef"},
            [("crypto", "0xabcdef0123456789abcdef")],
        ),
        ({"type": "phone-number", "value": "+7 701 234 5678"}, [("phone", "+77012345678")]),
        ({"type": "x-opencti-phone-number", "value": "0077012345678"}, [("phone", "+77012345678")]),
    ],
)
def test_sco_values(obj: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert pairs(obj) == expected


def test_url_gives_the_url_and_its_host() -> None:
    keys = observable_keys({"type": "url", "value": "HTTPS://Evil.Example.org:443/Login?x=1"})
    assert [(key.kind, key.value, key.source) for key in keys] == [
        ("url", "https://evil.example.org/Login?x=1", "value"),
        ("domain", "evil.example.org", "url host"),
    ]
    assert pairs({"type": "url", "value": "http://10.0.0.1:8080/a"}) == [
        ("url", "http://10.0.0.1:8080/a"),
        ("ipv4", "10.0.0.1"),
    ]


@pytest.mark.parametrize("object_type", ["file", "artifact", "x509-certificate"])
def test_every_hash_algorithm(object_type: str) -> None:
    obj = {
        "type": object_type,
        "hashes": {"SHA-256": SHA256, "MD5": MD5, "SSDEEP": "3:abc:def", "X-CUSTOM": "zzz"},
    }
    keys = observable_keys(obj)
    assert [(key.value, key.source) for key in keys] == [
        ("SHA-256:" + SHA256.lower(), "hashes.SHA-256"),
        ("MD5:" + MD5.lower(), "hashes.MD5"),
        ("SSDEEP:3:abc:def", "hashes.SSDEEP"),
    ]


def test_indicator_with_domain_and_network() -> None:
    obj = indicator(
        "[domain-name:value = 'EXAMPLE.org.'] AND [ipv4-addr:value ISSUBSET '10.0.0.0/8']"
    )
    keys = observable_keys(obj)
    assert [(key.kind, key.value, key.source) for key in keys] == [
        ("domain", "example.org", "pattern"),
        ("ipv4", "10.0.0.0/8", "pattern"),
    ]
    assert (keys[1].lo, keys[1].hi) == ("0a000000", "0affffff")


def test_or_pattern_and_in_sets() -> None:
    obj = indicator(
        "[url:value = 'http://a.example.org/x' OR email-addr:value = 'X@Example.org'] "
        "OR [ipv6-addr:value IN ('2001:db8::1', '2001:db8::2')]"
    )
    assert pairs(obj) == [
        ("url", "http://a.example.org/x"),
        ("domain", "a.example.org"),
        ("email", "x@example.org"),
        ("ipv6", "2001:db8::1"),
        ("ipv6", "2001:db8::2"),
    ]


def test_file_hashes_with_a_quoted_path_step() -> None:
    obj = indicator(f"[file:hashes.'SHA-256' = '{SHA256}' OR file:hashes.MD5 = '{MD5}']")
    assert pairs(obj) == [("hash", "SHA-256:" + SHA256.lower()), ("hash", "MD5:" + MD5.lower())]


def test_email_message_and_network_traffic_references() -> None:
    obj = indicator(
        "[email-message:from_ref.value = 'boss@example.org' AND "
        "email-message:to_refs[*].value = 'you@example.org'] AND "
        "[network-traffic:dst_ref.value = '198.51.100.7' AND "
        "network-traffic:src_ref.value = 'c2.example.net']"
    )
    assert pairs(obj) == [
        ("email", "boss@example.org"),
        ("email", "you@example.org"),
        ("ipv4", "198.51.100.7"),
        ("domain", "c2.example.net"),
    ]


@pytest.mark.parametrize(
    "pattern",
    [
        "[domain-name:value != 'example.org']",
        "[domain-name:value NOT = 'example.org']",
        "[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']",
        "[ipv4-addr:value NOT IN ('10.0.0.1', '10.0.0.2')]",
        "[domain-name:value LIKE '%.example.org']",
        "[domain-name:value MATCHES '^evil']",
    ],
)
def test_negated_and_inexact_comparisons_give_nothing(pattern: str) -> None:
    assert pattern_comparisons(pattern), "the pattern should parse"
    assert pairs(indicator(pattern)) == []


def test_negated_next_to_positive_keeps_only_the_positive() -> None:
    obj = indicator("[domain-name:value = 'good.example' AND domain-name:value != 'bad.example']")
    assert pairs(obj) == [("domain", "good.example")]


@pytest.mark.parametrize("pattern", ["[domain-name:value = 'x'", "not a pattern", "", "[]"])
def test_pattern_that_does_not_parse_gives_nothing(pattern: str) -> None:
    assert pairs(indicator(pattern)) == []


def test_other_pattern_languages_are_not_read() -> None:
    obj = indicator("[domain-name:value = 'example.org']", pattern_type="sigma")
    assert pairs(obj) == []


def test_escaped_quotes_in_pattern_literals() -> None:
    obj = indicator(r"[url:value = 'http://example.org/it\'s']")
    assert pairs(obj)[0] == ("url", "http://example.org/it's")


def test_contact_information_phones_and_emails() -> None:
    identity = {
        "type": "identity",
        "name": "Someone",
        "contact_information": (
            "Tel. +7 (701) 234-56-78, office +44 20 7946 0958, local 8 701 111 2233; "
            "write to Someone.Else@Example.org or ops@пример.рф."
        ),
    }
    keys = observable_keys(identity)
    assert [(key.kind, key.value) for key in keys] == [
        ("phone", "+77012345678"),
        ("phone", "+442079460958"),
        ("email", "someone.else@example.org"),
        ("email", "ops@xn--e1afmkfd.xn--p1ai"),
    ]
    assert {key.source for key in keys} == {"contact_information"}


def test_passport_numbers_top_level_and_in_extensions() -> None:
    obj = {
        "type": "identity",
        "x_passport_number": "n 12-34567",
        "extensions": {
            "extension-definition--1a2b": {"extension_type": "property-extension"},
            "x-person": {"document_number": "AB-123.456", "passport_number": "N1234567"},
        },
    }
    keys = observable_keys(obj)
    assert [(key.kind, key.value) for key in keys] == [
        ("document", "N1234567"),
        ("document", "AB123456"),
    ]
    assert keys[0].source == "x_passport_number"
    assert keys[1].source == "extensions.x-person.document_number"


def test_document_numbers_in_patterns() -> None:
    obj = indicator("[x-person:x_passport_number = 'n1234567']")
    assert pairs(obj) == [("document", "N1234567")]


def test_duplicates_keep_the_first_source() -> None:
    obj = indicator("[url:value = 'http://example.org/'] OR [domain-name:value = 'EXAMPLE.org']")
    keys = observable_keys(obj)
    assert [(key.kind, key.value, key.source) for key in keys] == [
        ("url", "http://example.org/", "pattern"),
        ("domain", "example.org", "url host"),
    ]


@pytest.mark.parametrize(
    "obj",
    [
        {},
        {"type": 7},
        {"type": "domain-name", "value": None},
        {"type": "domain-name", "value": "a..b"},
        {"type": "file", "hashes": ["not", "a", "dict"]},
        {"type": "file", "hashes": {"MD5": 5}},
        {"type": "indicator", "pattern": 12},
        {"type": "identity", "contact_information": ["x"], "extensions": "x"},
        {"type": "identity", "passport_number": "#"},
        {"type": "ipv4-addr", "value": "999.1.1.1"},
    ],
)
def test_odd_input_gives_no_keys_and_never_raises(obj: dict[str, Any]) -> None:
    assert observable_keys(obj) == []


def test_names_are_not_keys() -> None:
    assert observable_keys({"type": "identity", "name": "John Smith"}) == []
    assert observable_keys({"type": "threat-actor", "name": "Group X"}) == []


def test_indicator_without_pattern_type_is_read_as_stix() -> None:
    obj = indicator("[domain-name:value = 'example.org']")
    del obj["pattern_type"]
    assert pairs(obj) == [("domain", "example.org")]
