"""The correlating values of one STIX object: its observables, its pattern, its documents.

:func:`observable_keys` reads an object already validated and stored, so it never raises:
a value that does not normalise is simply not a correlating value. Names of persons and
groups, and register subjects, are correlated elsewhere.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import phonenumbers
from stix2patterns.v21.pattern import Pattern

from accord.correlate.values import Key, ip_key, normalise, url_host_key

# The SCO types whose ``value`` is the value, and its kind.
_VALUE_TYPES = {
    "domain-name": "domain",
    "url": "url",
    "ipv4-addr": "ipv4",
    "ipv6-addr": "ipv6",
    "email-addr": "email",
    "cryptocurrency-wallet": "crypto",
    "x-opencti-cryptocurrency-wallet": "crypto",
    "phone-number": "phone",
    "x-opencti-phone-number": "phone",
}
_HASHED_TYPES = frozenset({"file", "artifact", "x509-certificate"})
DOCUMENT_PROPERTIES = frozenset(
    {
        "passport_number",
        "document_number",
        "x_passport_number",
        "x_document_number",
        "x_misp_passport_number",
    }
)
# Comparison paths (after the object type) that name an e-mail address.
_EMAIL_MESSAGE_PATHS = frozenset({"from_ref.value", "sender_ref.value", "to_refs.*.value"})
_EMAIL_MESSAGE_PATHS |= {"cc_refs.*.value", "bcc_refs.*.value"}
_TRAFFIC_PATHS = frozenset({"dst_ref.value", "src_ref.value"})

# RFC 5322's dot-atom local part and a domain ending in a letters-only top-level label;
# \w admits internationalised names, which the domain normaliser turns into A-labels.
_EMAIL_IN_TEXT = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~@-])"
    r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}(?![\w-])"
)
_STRING_LITERAL = re.compile(r"'((?:[^'\\]|\\.)*)'")
_ESCAPE = re.compile(r"\\(.)")


class _Keys:
    """Keys in order of discovery, one per (kind, value), the first source kept."""

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self._seen: set[tuple[str, str]] = set()

    def add_key(self, key: Key) -> None:
        if (key.kind, key.value) not in self._seen:
            self._seen.add((key.kind, key.value))
            self.keys.append(key)

    def add(self, kind: str, raw: Any, source: str) -> None:
        if not isinstance(raw, str):
            return
        try:
            key = normalise(kind, raw, source)
        except ValueError:
            return
        self.add_key(key)
        if key.kind == "url":
            host = url_host_key(key.value)
            if host is not None:
                self.add_key(host)

    def add_ip_or_domain(self, raw: str, source: str) -> None:
        try:
            self.add_key(ip_key(raw, source))
        except ValueError:
            self.add("domain", raw, source)


def observable_keys(obj: Mapping[str, Any]) -> list[Key]:
    """The keys of one STIX object, deduplicated by (kind, value)."""
    keys = _Keys()
    object_type = obj.get("type")
    kind = _VALUE_TYPES.get(object_type) if isinstance(object_type, str) else None
    if kind is not None:
        keys.add(kind, obj.get("value"), "value")
    if object_type in _HASHED_TYPES:
        _hashes(keys, obj.get("hashes"))
    if object_type == "indicator" and obj.get("pattern_type") in (None, "stix"):
        pattern = obj.get("pattern")
        if isinstance(pattern, str):
            _pattern(keys, pattern)
    _documents(keys, obj, "")
    extensions = obj.get("extensions")
    if isinstance(extensions, Mapping):
        for name, extension in extensions.items():
            if isinstance(extension, Mapping):
                _documents(keys, extension, f"extensions.{name}.")
    contact = obj.get("contact_information")
    if isinstance(contact, str):
        _contact(keys, contact)
    return keys.keys


def _hashes(keys: _Keys, hashes: Any) -> None:
    if not isinstance(hashes, Mapping):
        return
    for algorithm, digest in hashes.items():
        if isinstance(algorithm, str) and isinstance(digest, str):
            keys.add("hash", f"{algorithm}:{digest}", f"hashes.{algorithm}")


def _documents(keys: _Keys, properties: Mapping[str, Any], prefix: str) -> None:
    for name in DOCUMENT_PROPERTIES.intersection(properties):
        keys.add("document", properties[name], prefix + name)


def _contact(keys: _Keys, text: str) -> None:
    """International phone numbers and e-mail addresses written in free text."""
    try:
        matches = list(phonenumbers.PhoneNumberMatcher(text, None))
    except Exception:  # free text from any producer: no keys, never a failure
        matches = []
    for match in matches:
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        keys.add("phone", e164, "contact_information")
    for address in _EMAIL_IN_TEXT.findall(text):
        keys.add("email", address, "contact_information")


# --- patterns ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=20_000)
def pattern_comparisons(
    pattern: str,
) -> tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...]:
    """The comparisons of a STIX 2.1 pattern: (object type, path, operator, string values).

    The path's index steps (``[*]``, ``[0]``) become ``"*"``; only string literals are kept
    as values (an ``IN`` set gives each of its strings). A pattern that does not parse gives
    no comparisons. Parsed once per process (ANTLR takes about 1.4 ms a pattern; partners
    share the same indicators, so a feed repeats patterns).
    """
    try:
        comparisons = Pattern(pattern).inspect().comparisons
    except Exception:  # the parser raises several types, antlr's among them
        return ()
    found = []
    for object_type, tests in comparisons.items():
        for path, operator, literal in tests:
            steps = tuple(step if isinstance(step, str) else "*" for step in path)
            if operator.endswith("IN"):
                values = [_unescape(text) for text in _STRING_LITERAL.findall(literal)]
            elif len(literal) >= 2 and literal[0] == "'" and literal[-1] == "'":
                values = [_unescape(literal[1:-1])]
            else:
                values = []
            found.append((object_type, steps, operator, tuple(values)))
    return tuple(found)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def _pattern(keys: _Keys, pattern: str) -> None:
    """Values the pattern matches by equality (``=``, ``IN``), and networks (``ISSUBSET``).

    Negated comparisons (``!=``, ``NOT ...``) describe what the indicator is not: skipped.
    """
    for object_type, path, operator, values in pattern_comparisons(pattern):
        is_ip = object_type in ("ipv4-addr", "ipv6-addr") and path == ("value",)
        if operator not in ("=", "IN") and not (operator == "ISSUBSET" and is_ip):
            continue
        for value in values:
            _pattern_value(keys, object_type, path, value)


def _pattern_value(keys: _Keys, object_type: str, path: tuple[str, ...], value: str) -> None:
    source = "pattern"
    dotted = ".".join(path)
    kind = _VALUE_TYPES.get(object_type) if dotted == "value" else None
    if kind is not None:
        keys.add(kind, value, source)
    elif object_type in _HASHED_TYPES and len(path) == 2 and path[0] == "hashes":
        keys.add("hash", f"{path[1]}:{value}", source)
    elif object_type == "email-message" and dotted in _EMAIL_MESSAGE_PATHS:
        keys.add("email", value, source)
    elif object_type == "network-traffic" and dotted in _TRAFFIC_PATHS:
        keys.add_ip_or_domain(value, source)
    elif path and path[-1] in DOCUMENT_PROPERTIES:
        keys.add("document", value, source)
