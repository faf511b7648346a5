"""warnings_for: values the MISP warning lists hold, by each list's type and attributes.

The index is built once per process from the lists in the pymispwarninglists wheel; the
first test to use it pays for that. Speed is measured in benchmarks, never asserted here.
"""

from __future__ import annotations

import pytest

from accord.correlate.values import Key, normalise
from accord.correlate.warnings import Warning, list_kinds, load, warnings_for

RFC1918 = "List of RFC 1918 CIDR blocks"
PUBLIC_DNS = "List of known IPv4 public DNS resolvers"
TRANCO = "Top 10K most-used sites from Tranco"
CRUX = "Top 10 000 websites from Cisco Umbrella"


def names(kind: str, raw: str) -> set[str]:
    return {warning.list_name for warning in warnings_for(normalise(kind, raw))}


def test_the_shipped_lists_load() -> None:
    assert load() > 100


def test_public_dns_resolver_is_warned_with_the_list_name() -> None:
    warnings = warnings_for(normalise("ipv4", "8.8.8.8"))
    assert PUBLIC_DNS in {warning.list_name for warning in warnings}
    public_dns = next(warning for warning in warnings if warning.list_name == PUBLIC_DNS)
    assert isinstance(public_dns, Warning) and public_dns.description
    assert len(warnings) == len(set(warnings)), "each list once"


def test_top_site_and_its_subdomains_are_warned() -> None:
    assert {TRANCO, CRUX} <= names("domain", "google.com")
    sub = names("domain", "Accord-Test-Sub.Mail.Google.COM.")
    assert TRANCO in sub, "hostname lists hold the subdomains of their entries"
    assert CRUX not in sub, "string lists hold their entries exactly"


def test_random_domain_is_not_warned() -> None:
    assert warnings_for(normalise("domain", "a8f3kq-accord-test.example")) == ()


def test_hostname_entries_with_a_leading_dot_hold_the_domain_itself() -> None:
    assert "List of known dax30 webpages" in names("domain", "bmw.de")
    assert "List of known dax30 webpages" in names("domain", "www.bmw.de")
    assert "List of known dax30 webpages" not in names("domain", "notbmw.de")


def test_private_addresses_and_networks() -> None:
    assert RFC1918 in names("ipv4", "10.1.2.3")
    assert RFC1918 in names("ipv4", "192.168.7.0/24")
    assert RFC1918 in names("ipv4", "172.16.0.0/12")
    assert RFC1918 not in names("ipv4", "172.0.0.0/8"), "a network larger than the listed one"
    assert RFC1918 not in names("ipv4", "11.0.0.1")
    assert "List of RFC 3849 CIDR blocks" in names("ipv6", "2001:db8::1")
    assert "List of IPv6 link local blocks" in names("ipv6", "fe80::1/64")
    assert RFC1918 in names("ipv6", "::ffff:10.0.0.1"), "an IPv4-mapped address is IPv4"


def test_public_addresses_outside_the_private_and_dns_lists() -> None:
    assert RFC1918 not in names("ipv4", "203.0.114.1")
    assert PUBLIC_DNS not in names("ipv4", "8.8.8.9")


def test_url_host_is_checked_against_hostname_lists() -> None:
    assert TRANCO in names("url", "https://www.google.com/search?q=x")
    assert names("url", "https://a8f3kq-accord-test.example/google.com") == set()


def test_hashes_of_empty_files() -> None:
    assert "List of known hashes for empty files" in names(
        "hash", "MD5:D41D8CD98F00B204E9800998ECF8427E"
    )
    assert names("hash", "MD5:" + "0123456789abcdef" * 2) == set()


def test_email_regex_and_substring_lists() -> None:
    assert "Common contact e-mail addresses" in names("email", "Abuse@Example.org")
    assert "List of disposable email domains" in names("email", "someone@0-mail.com")
    assert names("email", "someone@a8f3kq-accord-test.example") == set()


def test_phone_regex_list() -> None:
    assert "Unattributed phone number." in names("phone", "+1 202 555 0123")
    assert names("phone", "+77012345678") == set()


def test_kinds_a_value_of_another_kind_does_not_reach() -> None:
    # The same text as a domain is warned, as a document number it is not.
    assert warnings_for(Key("document", "GOOGLECOM")) == ()
    assert warnings_for(Key("crypto", "google.com")) == ()


@pytest.mark.parametrize(
    ("warning_list", "kinds"),
    [
        ({"type": "hostname", "matching_attributes": ["domain", "url"]}, ("domain", "url")),
        ({"type": "cidr", "matching_attributes": ["ip-src", "domain|ip"]}, ("ipv4", "ipv6")),
        ({"type": "cidr", "matching_attributes": ["domain"]}, ()),
        ({"type": "string", "matching_attributes": ["md5", "filename|sha256"]}, ("hash",)),
        ({"type": "string", "matching_attributes": ["whois-registrant-phone"]}, ("phone",)),
        ({"type": "string", "matching_attributes": ["btc"]}, ("crypto",)),
        ({"type": "regex", "matching_attributes": ["target-email"]}, ("email",)),
        ({"type": "hostname"}, ("domain", "url")),
        ({"type": "cidr"}, ("ipv4", "ipv6")),
        ({"type": "string", "matching_attributes": ["azure-application-id"]}, ()),
        ({"type": "unknown"}, ()),
    ],
)
def test_list_kinds(warning_list: dict[str, object], kinds: tuple[str, ...]) -> None:
    assert list_kinds(warning_list) == kinds


def test_url_host_starting_with_a_digit_is_a_name() -> None:
    # 360.cn is a top site; a url host that starts with a digit is still a host name.
    assert TRANCO in names("domain", "360.cn")
    assert TRANCO in names("url", "https://360.cn/")


def test_address_key_built_without_its_range() -> None:
    assert RFC1918 in {warning.list_name for warning in warnings_for(Key("ipv4", "10.0.0.1"))}
    assert warnings_for(Key("ipv4", "not an address")) == ()
