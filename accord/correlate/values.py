"""The values that correlate STIX objects, each in one normalised form.

Two objects correlate when they share a :class:`Key`: a kind (one of :data:`KINDS`) and a
normalised value. Normalising is what makes ``EXAMPLE.org.`` and ``example.org``, or
``+7 (701) 234-56-78`` and ``007 701 234 5678``, one value; it is done here once, by small
pure functions, so that extraction, watches and warning lists agree on every spelling.

Each normaliser returns the normalised string or raises :class:`ValueError` saying what is
wrong; :func:`normalise` adds the kind and the value to that message.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
import phonenumbers

KINDS = ("domain", "url", "ipv4", "ipv6", "email", "phone", "hash", "crypto", "document")


@dataclass(frozen=True, slots=True)
class Key:
    """One correlating value of an object.

    ``source`` says where in the object the value was found (``"value"``, ``"pattern"``,
    ``"hashes.SHA-256"``...) and plays no part in :attr:`digest`. ``lo`` and ``hi`` are set
    for addresses and networks only: the first and last address as fixed-width lower-case
    hex (8 digits for IPv4, 32 for IPv6), so that ranges compare as strings.
    """

    kind: str
    value: str
    source: str = ""
    lo: str | None = None
    hi: str | None = None

    @property
    def digest(self) -> int:
        """A non-negative 63-bit integer for (kind, value): fits a signed BigInteger column."""
        data = hashlib.sha256(f"{self.kind}\x1f{self.value}".encode()).digest()
        return int.from_bytes(data[:8], "big") >> 1


# --- domains -----------------------------------------------------------------------------

_LABEL = re.compile(r"[a-z0-9_-]+")


def normalise_domain(raw: str) -> str:
    """Lower case, no trailing dot, IDNA A-labels (UTS 46 mapping)."""
    name = raw.strip().lower()
    if name.endswith("."):
        name = name[:-1]
    if not name:
        raise ValueError("the domain name is empty")
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError:
            try:
                name = name.encode("idna").decode("ascii")
            except UnicodeError as exc:
                raise ValueError(f"not a valid internationalised domain name ({exc})") from exc
        name = name.lower()
    if len(name) > 253:
        raise ValueError(f"the domain name is {len(name)} characters long (at most 253)")
    for label in name.split("."):
        if not label:
            raise ValueError("the domain name has an empty label")
        if len(label) > 63:
            raise ValueError(f"the label {label[:20]!r}... is over 63 characters")
        if not _LABEL.fullmatch(label):
            raise ValueError(f"the label {label!r} has characters a domain name cannot have")
    return name


# --- urls --------------------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _url_host(host: str) -> str:
    """A url's host: an address in compressed form (IPv6 in brackets) or a domain name."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return normalise_domain(host)
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def normalise_url(raw: str) -> str:
    """Scheme and host lower case, host as a domain, default port dropped, no fragment.

    The path and query are kept as written: they are case-sensitive on most servers.
    """
    text = raw.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a valid url ({exc})") from exc
    scheme = parts.scheme.lower()
    if not scheme:
        raise ValueError("the url has no scheme")
    host = parts.hostname
    if not host:
        raise ValueError("the url has no host")
    netloc = _url_host(host)
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:
        netloc = f"{userinfo}@{netloc}"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{netloc}{path}{query}"


def url_host_key(url: str, source: str = "url host") -> Key | None:
    """The key of a normalised url's host: a domain, or an ipv4/ipv6 address."""
    host = urlsplit(url).hostname
    if not host:
        return None
    try:
        return ip_key(host, source)
    except ValueError:
        pass
    try:
        return Key("domain", normalise_domain(host), source)
    except ValueError:
        return None


# --- addresses and networks --------------------------------------------------------------


def ip_key(raw: str, source: str = "") -> Key:
    """An address or a network (non-strict: ``10.1.2.3/24`` is ``10.1.2.0/24``), either version.

    A network of one address is that address; IPv4-mapped IPv6 (``::ffff:1.2.3.4``) is IPv4.
    """
    text = raw.strip()
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise ValueError(f"not an IP address or network ({exc})") from exc
    if isinstance(network, ipaddress.IPv6Network):
        mapped = network.network_address.ipv4_mapped
        if mapped is not None and network.prefixlen >= 96:
            network = ipaddress.IPv4Network((mapped, network.prefixlen - 96))
    first, last = int(network.network_address), int(network.broadcast_address)
    width = 8 if network.version == 4 else 32
    single = network.num_addresses == 1
    value = network.network_address.compressed if single else network.compressed
    kind = "ipv4" if network.version == 4 else "ipv6"
    return Key(kind, value, source, f"{first:0{width}x}", f"{last:0{width}x}")


def _ip_of_version(kind: str) -> Callable[[str, str], Key]:
    def parse(raw: str, source: str) -> Key:
        key = ip_key(raw, source)
        mapped = kind == "ipv6" and key.kind == "ipv4" and ":" in raw
        if key.kind != kind and not mapped:
            raise ValueError(f"this is an {key.kind} value, not {kind}")
        return key

    return parse


# --- e-mail addresses and phone numbers --------------------------------------------------


def normalise_email(raw: str) -> str:
    """Lower case, the domain part as a domain name."""
    text = raw.strip().lower()
    if text.count("@") != 1:
        raise ValueError("an e-mail address has exactly one '@'")
    local, domain = text.split("@")
    if not local:
        raise ValueError("the part before '@' is empty")
    if any(char.isspace() for char in local):
        raise ValueError("the part before '@' has spaces")
    try:
        domain = normalise_domain(domain)
    except ValueError as exc:
        raise ValueError(f"the domain part: {exc}") from exc
    return f"{local}@{domain}"


def normalise_phone(raw: str) -> str:
    """E.164 (``+77012345678``); the number must be in international form (``+`` or ``00``)."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        raise ValueError(
            "a phone number must be in international form (+ or 00 and a country code)"
        )
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number ({exc})") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number for its country code")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- hashes ------------------------------------------------------------------------------

HASH_ALGORITHMS = ("MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH")
_ALGORITHM_BY_SQUASHED = {name.replace("-", ""): name for name in HASH_ALGORITHMS}
_HEX_LENGTHS = {
    "MD5": 32,
    "SHA-1": 40,
    "SHA-256": 64,
    "SHA-512": 128,
    "SHA3-256": 64,
    "SHA3-512": 128,
}
_ALGORITHM_BY_HEX_LENGTH = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
_HEX = re.compile(r"[0-9a-f]+")


def hash_algorithm(name: str) -> str:
    """The STIX hash-algorithm-ov name of ``sha256``, ``SHA256``, ``sha-256``, ``SHA_256``..."""
    squashed = re.sub(r"[-_\s]", "", name).upper()
    try:
        return _ALGORITHM_BY_SQUASHED[squashed]
    except KeyError:
        raise ValueError(f"unknown hash algorithm {name!r}") from None


def normalise_hash(raw: str, algorithm: str | None = None) -> str:
    """``ALGO:value``; the algorithm given, written as ``ALGO:`` or guessed from a hex length.

    Hex digests are lower-cased and length-checked; SSDEEP and TLSH are kept as written.
    """
    text = raw.strip()
    if algorithm is None:
        prefix, colon, rest = text.partition(":")
        try:
            algorithm = hash_algorithm(prefix) if colon else None
        except ValueError:
            algorithm = None
        if algorithm is not None:
            text = rest.strip()
        else:
            algorithm = _ALGORITHM_BY_HEX_LENGTH.get(len(text))
            if algorithm is None or not _HEX.fullmatch(text.lower()):
                raise ValueError("expected ALGORITHM:VALUE or a hex MD5, SHA-1, SHA-256 or SHA-512")
    else:
        algorithm = hash_algorithm(algorithm)
    if not text:
        raise ValueError("the hash is empty")
    length = _HEX_LENGTHS.get(algorithm)
    if length is not None:
        text = text.lower()
        if len(text) != length or not _HEX.fullmatch(text):
            raise ValueError(f"{algorithm} is {length} hex digits")
    return f"{algorithm}:{text}"


# --- crypto-currency wallets and identity documents --------------------------------------

_BECH32_PREFIXES = ("bc1", "ltc1", "tb1", "bcrt1")
_WALLET = re.compile(r"[A-Za-z0-9]{16,128}")


def normalise_crypto(raw: str) -> str:
    """A wallet address: bech32 and Ethereum (0x) lower-cased, other forms case-sensitive.

    Base58 is case-sensitive; bech32 is case-insensitive, and the case of an EIP-55 address
    is only a checksum.
    """
    text = raw.strip()
    if not _WALLET.fullmatch(text):
        raise ValueError("a wallet address is 16 to 128 letters and digits")
    lowered = text.lower()
    if lowered.startswith(_BECH32_PREFIXES) or lowered.startswith("0x"):
        return lowered
    return text


_DOCUMENT_SEPARATORS = re.compile(r"[\s.\-]")
_DOCUMENT = re.compile(r"[A-Z0-9]{4,20}")


def normalise_document(raw: str) -> str:
    """A passport or identity-document number: upper case, no spaces, hyphens or dots."""
    text = _DOCUMENT_SEPARATORS.sub("", raw).upper()
    if not _DOCUMENT.fullmatch(text):
        raise ValueError("a document number is 4 to 20 letters (A-Z) and digits")
    return text


# --- one entry point ---------------------------------------------------------------------

_STRING_NORMALISERS: dict[str, Callable[[str], str]] = {
    "domain": normalise_domain,
    "url": normalise_url,
    "email": normalise_email,
    "phone": normalise_phone,
    "hash": normalise_hash,
    "crypto": normalise_crypto,
    "document": normalise_document,
}
_IP_PARSERS = {"ipv4": _ip_of_version("ipv4"), "ipv6": _ip_of_version("ipv6")}


def _key(kind: str, raw: str, source: str) -> Key:
    """The key, or ValueError with the bare reason (callers add the context)."""
    ip_parser = _IP_PARSERS.get(kind)
    if ip_parser is not None:
        return ip_parser(raw, source)
    normaliser = _STRING_NORMALISERS.get(kind)
    if normaliser is None:
        raise ValueError(f"unknown kind; expected one of {', '.join(KINDS)}")
    return Key(kind, normaliser(raw), source)


def normalise(kind: str, raw: str, source: str = "") -> Key:
    """The key of ``raw`` as a value of ``kind``; ValueError naming both when it is not one."""
    try:
        return _key(kind, raw, source)
    except ValueError as exc:
        raise ValueError(f"{kind} {raw!r}: {exc}") from None


SPEC_TYPES = {
    "domain-name": "domain",
    "domain": "domain",
    "url": "url",
    "ipv4-addr": "ipv4",
    "ipv4": "ipv4",
    "ipv6-addr": "ipv6",
    "ipv6": "ipv6",
    "email-addr": "email",
    "email": "email",
    "phone-number": "phone",
    "phone": "phone",
    "file": "hash",
    "hash": "hash",
    "cryptocurrency-wallet": "crypto",
    "crypto": "crypto",
    "document": "document",
    "passport": "document",
}


def parse_value_spec(spec: str) -> Key:
    """What an analyst types for a watch: ``TYPE:VALUE``, e.g. ``domain:example.org``.

    ``TYPE`` is a STIX type or a short alias (:data:`SPEC_TYPES`); only the first colon
    splits, since urls and IPv6 addresses have colons of their own. A file's value is
    ``SHA-256:...`` or a bare hex digest whose length picks the algorithm.
    """
    type_name, colon, raw = spec.partition(":")
    type_name = type_name.strip().lower()
    if not colon:
        raise ValueError(f"value {spec!r}: expected TYPE:VALUE, e.g. domain:example.org")
    kind = SPEC_TYPES.get(type_name)
    if kind is None:
        raise ValueError(
            f"value {spec!r}: unknown type {type_name!r}; expected one of {', '.join(SPEC_TYPES)}"
        )
    if not raw.strip():
        raise ValueError(f"value {spec!r}: the value is empty")
    try:
        return _key(kind, raw, "")
    except ValueError as exc:
        raise ValueError(f"value {spec!r}: {exc}") from None
