"""The normalisers: one key for every spelling of a value, a clear refusal for junk."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.correlate.values import (
    KINDS,
    Key,
    normalise,
    normalise_crypto,
    normalise_document,
    normalise_domain,
    normalise_email,
    normalise_hash,
    normalise_phone,
    normalise_url,
    parse_value_spec,
    url_host_key,
)

SHA256 = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"


@pytest.mark.parametrize("raw", ["EXAMPLE.org.", "example.org", "  Example.ORG  "])
def test_domain_spellings_are_one_value(raw: str) -> None:
    assert normalise_domain(raw) == "example.org"


def test_internationalised_domain_is_its_a_label() -> None:
    assert normalise_domain("пример.рф") == "xn--e1afmkfd.xn--p1ai"
    assert normalise_domain("XN--E1AFMKFD.xn--p1ai.") == "xn--e1afmkfd.xn--p1ai"
    assert normalise_domain("ПРИМЕР.РФ") == "xn--e1afmkfd.xn--p1ai"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("a..b", "empty label"),
        ("a" * 64 + ".org", "over 63"),
        (".".join(["a" * 60] * 5), "at most 253"),
        ("exa mple.org", "characters"),
        ("user@example.org", "characters"),
    ],
)
def test_domain_refusals(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_domain(raw)


def test_url_scheme_host_and_default_port() -> None:
    assert normalise_url("HTTP://WWW.Example.org:80") == "http://www.example.org/"
    assert normalise_url("https://Example.org:443/A/b?Q=1#frag") == "https://example.org/A/b?Q=1"
    assert normalise_url("https://example.org:8443/x") == "https://example.org:8443/x"
    assert normalise_url("http://пример.рф/путь") == "http://xn--e1afmkfd.xn--p1ai/путь"
    assert normalise_url("http://[2001:DB8::1]:8080/") == "http://[2001:db8::1]:8080/"


@pytest.mark.parametrize("raw", ["example.org/path", "http:///nohost", "http://a..b/"])
def test_url_refusals(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_url(raw)


def test_url_host_key_is_a_domain_or_an_address() -> None:
    assert url_host_key("http://example.org/") == Key("domain", "example.org", "url host")
    host = url_host_key("http://10.0.0.1:8080/")
    assert host is not None and (host.kind, host.value) == ("ipv4", "10.0.0.1")
    host = url_host_key("http://[2001:db8::1]/")
    assert host is not None and (host.kind, host.value) == ("ipv6", "2001:db8::1")


def test_address_and_network_ranges() -> None:
    address = normalise("ipv4", "10.1.2.3")
    assert (address.value, address.lo, address.hi) == ("10.1.2.3", "0a010203", "0a010203")
    network = normalise("ipv4", "10.1.2.3/24")
    assert (network.value, network.lo, network.hi) == ("10.1.2.0/24", "0a010200", "0a0102ff")
    assert normalise("ipv4", "1.2.3.4/32").value == "1.2.3.4"
    v6 = normalise("ipv6", "2001:DB8:0:0::1")
    assert v6.value == "2001:db8::1"
    assert v6.lo == v6.hi == "20010db8000000000000000000000001"
    v6_net = normalise("ipv6", "2001:db8::1/64")
    assert v6_net.value == "2001:db8::/64"
    assert v6_net.hi == "20010db800000000" + "f" * 16


def test_ipv4_mapped_ipv6_is_the_ipv4_key() -> None:
    key = normalise("ipv6", "::ffff:1.2.3.4")
    assert (key.kind, key.value, key.lo) == ("ipv4", "1.2.3.4", "01020304")
    assert key.digest == normalise("ipv4", "1.2.3.4").digest


def test_address_of_the_other_version_and_junk_are_refused() -> None:
    with pytest.raises(ValueError, match="ipv4 '2001:db8::1'"):
        normalise("ipv4", "2001:db8::1")
    with pytest.raises(ValueError, match="not an IP address"):
        normalise("ipv4", "10.1.2.300")


def test_email_lower_case_and_idna_domain() -> None:
    assert normalise_email(" John.Doe@EXAMPLE.org ") == "john.doe@example.org"
    assert normalise_email("a@Пример.рф") == "a@xn--e1afmkfd.xn--p1ai"
    for raw in ("no-at.example.org", "a@b@c.org", "@example.org", "a@", "a b@example.org"):
        with pytest.raises(ValueError):
            normalise_email(raw)


@pytest.mark.parametrize("raw", ["+7 (701) 234-56-78", "007 701 234 5678", "+77012345678"])
def test_phone_writings_are_one_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+77012345678"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("8 701 234 5678", "international form"), ("+7 12", "possible"), ("+abc", "phone")],
)
def test_phone_refusals(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_phone(raw)


@pytest.mark.parametrize("algorithm", ["sha256", "SHA256", "sha-256", "SHA-256", "sha_256"])
def test_hash_algorithm_spellings(algorithm: str) -> None:
    assert normalise_hash(SHA256, algorithm) == "SHA-256:" + SHA256.lower()
    assert normalise_hash(f"{algorithm}:{SHA256}") == "SHA-256:" + SHA256.lower()


def test_hash_lengths_bare_hex_and_fuzzy_hashes() -> None:
    assert normalise_hash("D41D8CD98F00B204E9800998ECF8427E") == (
        "MD5:d41d8cd98f00b204e9800998ecf8427e"
    )
    assert normalise_hash("a" * 40).startswith("SHA-1:")
    assert normalise_hash("b" * 128).startswith("SHA-512:")
    assert normalise_hash("c" * 64, "SHA3-256") == "SHA3-256:" + "c" * 64
    assert normalise_hash(" 3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C ", "ssdeep") == (
        "SSDEEP:3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"
    )
    assert normalise_hash("T1ABCDEF", "TLSH") == "TLSH:T1ABCDEF"
    with pytest.raises(ValueError, match="MD5 is 32 hex"):
        normalise_hash("abc", "md5")
    with pytest.raises(ValueError, match="SHA-256 is 64 hex"):
        normalise_hash("z" * 64, "SHA-256")
    with pytest.raises(ValueError, match="unknown hash algorithm"):
        normalise_hash("a" * 32, "CRC32")


def test_crypto_case_rules() -> None:
    bech32 = "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"
    assert normalise_crypto(bech32) == bech32.lower()
    base58 = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    assert normalise_crypto(f" {base58} ") == base58
    ethereum = "0x52908400098527886E0F7030069857D2E4169EE7"
    assert normalise_crypto(ethereum) == ethereum.lower()
    with pytest.raises(ValueError):
        normalise_crypto("not a wallet")


def test_document_numbers() -> None:
    assert normalise_document("ab 12-34.56") == "AB123456"
    assert normalise_document("N1234567") == "N1234567"
    for raw in ("A1", "A" * 21, "AB#1234"):
        with pytest.raises(ValueError, match="4 to 20"):
            normalise_document(raw)


def test_digest_depends_on_kind_and_value_only() -> None:
    one = normalise("domain", "Example.org", "value")
    other = normalise("domain", "example.org.", "pattern")
    assert one.digest == other.digest
    assert one.digest != normalise("domain", "example.com").digest
    assert one.digest != Key("email", one.value).digest
    assert 0 <= one.digest < 2**63


def test_normalise_names_kind_and_value() -> None:
    with pytest.raises(ValueError, match="domain 'a..b': "):
        normalise("domain", "a..b")
    with pytest.raises(ValueError, match="unknown kind"):
        normalise("name", "x")


@pytest.mark.parametrize(
    ("spec", "kind", "value"),
    [
        ("domain-name:Example.org", "domain", "example.org"),
        ("domain:example.org.", "domain", "example.org"),
        ("url:https://Example.org:443", "url", "https://example.org/"),
        ("ipv4-addr:10.0.0.1", "ipv4", "10.0.0.1"),
        ("ipv4:10.0.0.0/8", "ipv4", "10.0.0.0/8"),
        ("ipv6-addr:2001:DB8::1", "ipv6", "2001:db8::1"),
        ("ipv6:2001:db8::/32", "ipv6", "2001:db8::/32"),
        ("email-addr:A@Example.org", "email", "a@example.org"),
        ("email:a@example.org", "email", "a@example.org"),
        ("phone-number:+7 701 234 5678", "phone", "+77012345678"),
        ("phone:007 701 234 5678", "phone", "+77012345678"),
        ("file:SHA-256:" + SHA256, "hash", "SHA-256:" + SHA256.lower()),
        ("hash:" + "A" * 32, "hash", "MD5:" + "a" * 32),
        ("file:" + "a" * 40, "hash", "SHA-1:" + "a" * 40),
        ("cryptocurrency-wallet:1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "crypto", None),
        ("crypto:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "crypto", None),
        ("document:ab 123-456", "document", "AB123456"),
        ("passport:N1234567", "document", "N1234567"),
        ("Domain: example.org", "domain", "example.org"),
    ],
)
def test_parse_value_spec(spec: str, kind: str, value: str | None) -> None:
    key = parse_value_spec(spec)
    assert key.kind == kind
    assert key.value == (value if value is not None else spec.split(":", 1)[1])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("foo:bar", "value 'foo:bar': unknown type 'foo'; expected one of domain-name"),
        ("domain-name:", "value 'domain-name:': the value is empty"),
        ("domain-name:   ", "the value is empty"),
        ("example.org", "value 'example.org': expected TYPE:VALUE"),
        ("ipv4:2001:db8::1", "value 'ipv4:2001:db8::1': this is an ipv6 value"),
        ("file:abc", "value 'file:abc': expected ALGORITHM:VALUE"),
        ("phone:8 701 234 5678", "value 'phone:8 701 234 5678': a phone number must be"),
    ],
)
def test_parse_value_spec_errors_name_the_spec(spec: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_value_spec(spec)
    assert message in str(info.value)


def test_kinds_are_the_documented_ones() -> None:
    assert KINDS == (
        "domain",
        "url",
        "ipv4",
        "ipv6",
        "email",
        "phone",
        "hash",
        "crypto",
        "document",
    )


_LABELS = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?", fullmatch=True)


@given(st.lists(_LABELS, min_size=1, max_size=5), st.booleans())
def test_domain_normalising_is_idempotent(labels: list[str], trailing_dot: bool) -> None:
    raw = ".".join(labels) + ("." if trailing_dot else "")
    once = normalise_domain(raw)
    assert normalise_domain(once) == once
    assert once == once.lower() and not once.endswith(".")


@given(st.integers(0, 2**32 - 1), st.integers(0, 32))
def test_ipv4_normalising_is_idempotent_and_ranges_hold(number: int, prefix: int) -> None:
    raw = f"{ipaddress.IPv4Address(number)}/{prefix}"
    key = normalise("ipv4", raw)
    again = normalise("ipv4", key.value)
    assert (again.value, again.lo, again.hi) == (key.value, key.lo, key.hi)
    assert key.lo is not None and key.hi is not None
    assert int(key.lo, 16) <= number <= int(key.hi, 16)
    assert int(key.hi, 16) - int(key.lo, 16) + 1 == 2 ** (32 - prefix)


@given(st.sampled_from(KINDS), st.text(max_size=30), st.text(max_size=10), st.text(max_size=10))
def test_digest_ignores_source(kind: str, value: str, source: str, other_source: str) -> None:
    assert Key(kind, value, source).digest == Key(kind, value, other_source).digest
