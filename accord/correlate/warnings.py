"""Values too common to correlate, flagged with the MISP warning lists.

The lists ship inside the pymispwarninglists wheel (``data/misp-warninglists/lists``); they
are read from there, never fetched. ``WarningLists.search`` loops over every list, and with
``slow_search`` over every entry, for each value: far too slow for bulk publishing. This
module builds one index instead, once per process on first use (:func:`load` does it
eagerly): exact entries and hostnames in dictionaries (a domain is looked up with each of
its parents), networks as a sorted forest searched by bisection, substrings behind one
trie regex, regexes precompiled.

Each list applies to the kinds its MISP ``matching_attributes`` map to (all kinds when it
has none) that its ``type`` makes sense for: ``hostname`` lists for domains and a url's
host, ``cidr`` lists for addresses and networks, the others for any kind.

Measured on the development machine (2 vCPUs, noisy; Python 3.11, the 119 lists of
pymispwarninglists 1.7.0, of which two are empty and one holds Azure application ids):
building the index takes 5.4-6.0 s and holds about 340 MB (two dictionaries of 1.3 and
1.1 million names: the Tranco and Chrome UX top million lists); a call then takes 9-12 us
for a domain, 3-5 us for an IPv4 and 2.5-4.5 us for an IPv6 address (10,000 random values
each, half the domains under top sites), against about 200 ms per value for
``WarningLists(slow_search=True).search``.
"""

from __future__ import annotations

import bisect
import functools
import importlib.resources
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson

from accord.correlate.values import KINDS, Key, ip_key, normalise, normalise_domain, normalise_url


@dataclass(frozen=True, slots=True)
class Warning:  # shadows the builtin within this module only; callers import it by name
    """A warning list that holds a value: its ``name`` and ``description``."""

    list_name: str
    description: str


# MISP attribute types -> the kinds of Accord's keys they hold.
_IPS = ("ipv4", "ipv6")
_ATTRIBUTE_KINDS: dict[str, tuple[str, ...]] = {
    "domain": ("domain",),
    "hostname": ("domain",),
    "hostname|port": ("domain",),
    "domain|ip": ("domain", *_IPS),
    "url": ("url",),
    "uri": ("url",),
    "link": ("url",),
    "ip-src": _IPS,
    "ip-dst": _IPS,
    "ip-src|port": _IPS,
    "ip-dst|port": _IPS,
    "email": ("email",),
    "email-src": ("email",),
    "email-dst": ("email",),
    "target-email": ("email",),
    "whois-registrant-email": ("email",),
    "dns-soa-email": ("email",),
    "phone-number": ("phone",),
    "whois-registrant-phone": ("phone",),
    "btc": ("crypto",),
    "xmr": ("crypto",),
    "crypto": ("crypto",),
}
_HASH_ATTRIBUTE = re.compile(r"(filename\|)?(md5|sha\d+|sha3-?\d+|ssdeep|tlsh|x509-fingerprint-.+)")
# The kinds each list type makes sense for.
_TYPE_KINDS: dict[str, tuple[str, ...]] = {
    "hostname": ("domain", "url"),
    "cidr": _IPS,
    "string": KINDS,
    "substring": KINDS,
    "regex": KINDS,
}
_HEX = re.compile(r"[0-9a-f]+")
_HEX_ALGORITHMS = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
_SSDEEP = re.compile(r"\d+:[^:\s]*:[^:\s]*")
# The characters our keys of a kind can have, where that set is small: a substring entry
# with any other character can never be inside such a value.
_CHARACTERS = {"ipv4": frozenset("0123456789./"), "ipv6": frozenset("0123456789abcdef:./")}
_MISP_REGEX = re.compile(r"/(.*)/([a-z]*)", re.DOTALL)
_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}

# The (kind, warning) pairs an entry raises. The tables map entries to the number of their
# pairs in _Index.hits, not to the pairs: a dictionary of strings and integers is never
# scanned by the cyclic garbage collector, and the million entries of a list share one
# integer.
_Hits = tuple[tuple[str, Warning], ...]


class _Substrings:
    """The substring entries that apply to one kind.

    A few entries are tried one by one. Many (the disposable e-mail domains) are compiled
    into one regex over their trie, which answers "does any entry occur" in one pass in C;
    only when one does is every window of the value of an entry's length looked up, to
    name all the lists.
    """

    few = 64

    def __init__(self) -> None:
        self.entries: dict[str, tuple[Warning, ...]] = {}
        self.lengths: list[int] = []
        self.prefilter: re.Pattern[str] | None = None

    def add(self, entry: str, warning: Warning) -> None:
        old = self.entries.get(entry, ())
        if warning not in old:
            self.entries[entry] = old + (warning,)

    def finish(self) -> None:
        self.lengths = sorted({len(text) for text in self.entries})
        if len(self.entries) > self.few:
            self.prefilter = _trie_regex(self.entries)

    def search(self, value: str, found: list[Warning]) -> None:
        text = value.lower()
        if len(self.entries) <= self.few:
            for entry, listed in self.entries.items():
                if entry in text:
                    found.extend(listed)
            return
        if self.prefilter is not None and self.prefilter.search(text) is None:
            return
        for length in self.lengths:
            if length > len(text):
                return
            for start in range(len(text) - length + 1):
                hit = self.entries.get(text[start : start + length])
                if hit:
                    found.extend(hit)


class _Networks:
    """The listed networks of one IP version, for "which lists hold this address or network".

    CIDR blocks are nested or disjoint, so the blocks form a forest: each block's parent is
    the smallest block around it. The blocks are sorted by first address; the last block
    starting at or before an address either holds it or has an ancestor that does, and
    every ancestor of a block that holds it holds it too. A lookup is one bisection and a
    short walk up.
    """

    def __init__(self) -> None:
        self._pending: dict[tuple[int, int], tuple[Warning, ...]] = {}
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.sizes: list[int] = []
        self.parents: list[int] = []
        self.warnings: list[tuple[Warning, ...]] = []

    def add(self, first: int, last: int, warning: Warning) -> None:
        old = self._pending.get((first, last), ())
        if warning not in old:
            self._pending[(first, last)] = old + (warning,)

    def finish(self) -> None:
        stack: list[int] = []
        # By first address, and the larger block first where two start together.
        for (first, last), warnings in sorted(
            self._pending.items(), key=lambda i: (i[0][0], -i[0][1])
        ):
            while stack and self.ends[stack[-1]] < first:
                stack.pop()
            self.parents.append(stack[-1] if stack else -1)
            stack.append(len(self.starts))
            self.starts.append(first)
            self.ends.append(last)
            self.sizes.append(last - first + 1)
            self.warnings.append(warnings)
        self._pending.clear()

    def search(self, first: int, last: int, found: list[Warning]) -> None:
        """Lists with a block holding the whole range ``first``..``last`` (one CIDR block)."""
        node = bisect.bisect_right(self.starts, first) - 1
        while node >= 0 and self.ends[node] < last:
            node = self.parents[node]
        while node >= 0:
            found.extend(self.warnings[node])
            node = self.parents[node]


def _trie_regex(words: Iterable[str]) -> re.Pattern[str]:
    """A regex that matches where any of ``words`` starts: their trie, one branch per letter."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(pattern(trie))


@dataclass(slots=True)
class _Index:
    exact: dict[str, int] = field(default_factory=dict)
    hostnames: dict[str, int] = field(default_factory=dict)
    hits: list[_Hits] = field(default_factory=list)
    substrings: dict[str, _Substrings] = field(default_factory=dict)
    regexes: dict[str, list[tuple[re.Pattern[str], Warning]]] = field(default_factory=dict)
    networks: dict[str, _Networks] = field(
        default_factory=lambda: {"ipv4": _Networks(), "ipv6": _Networks()}
    )
    lists: int = 0
    _numbers: dict[_Hits, int] = field(default_factory=dict)

    def number(self, hits: _Hits) -> int:
        """The number of ``hits`` in :attr:`hits`, added when new."""
        number = self._numbers.get(hits)
        if number is None:
            number = self._numbers[hits] = len(self.hits)
            self.hits.append(hits)
        return number

    def finish(self) -> None:
        for networks in self.networks.values():
            networks.finish()
        for substrings in self.substrings.values():
            substrings.finish()
        self._numbers.clear()


def list_kinds(warning_list: dict[str, Any]) -> tuple[str, ...]:
    """The kinds of Accord's keys a MISP warning list applies to."""
    sensible = _TYPE_KINDS.get(warning_list.get("type", ""), ())
    attributes = warning_list.get("matching_attributes") or []
    if not attributes:
        return sensible
    kinds: set[str] = set()
    for attribute in attributes:
        kinds.update(_ATTRIBUTE_KINDS.get(attribute, ()))
        if _HASH_ATTRIBUTE.fullmatch(attribute):
            kinds.add("hash")
    return tuple(kind for kind in sensible if kind in kinds)


def _domain_entry(entry: str) -> str | None:
    """A list's domain as our domains are written: lower case, no leading or trailing dot."""
    name = entry.strip().lower().strip(".")
    if name.isascii():
        return name or None  # a malformed ASCII entry can never equal a normalised value
    try:
        return normalise_domain(name)
    except ValueError:
        return None


def _hash_entry(entry: str) -> str | None:
    text = entry.strip().lower()
    algorithm = _HEX_ALGORITHMS.get(len(text))
    if algorithm is not None and _HEX.fullmatch(text):
        return f"{algorithm}:{text}"
    if _SSDEEP.fullmatch(entry.strip()):
        return f"SSDEEP:{entry.strip()}"
    return None


def _maybe_ip(entry: str) -> bool:
    return entry[:1].isdigit() or ":" in entry


# Cheap tests that skip most entries of the million-entry domain lists for other kinds.
_PLAUSIBLE: dict[str, Callable[[str], bool]] = {
    "url": lambda entry: "://" in entry,
    "ipv4": _maybe_ip,
    "ipv6": _maybe_ip,
    "email": lambda entry: "@" in entry,
    "phone": lambda entry: entry.lstrip()[:1] in ("+", "0"),
}


def _entry_value(kind: str, entry: str) -> str | None:
    """An exact-match entry in the form of our keys of ``kind``; None when it is not one."""
    if kind == "domain":
        return _domain_entry(entry)
    if kind == "hash":
        return _hash_entry(entry)
    if kind in _IPS:
        try:
            key = ip_key(entry)
        except ValueError:
            return None
        return key.value if key.kind == kind else None
    if kind == "url":
        try:
            return normalise_url(entry)
        except ValueError:
            return None
    try:
        return normalise(kind, entry).value
    except ValueError:
        return None


def _misp_regex(entry: str) -> re.Pattern[str] | None:
    """A MISP (PHP, ``/pattern/flags``) regex as a Python one; None when it does not compile."""
    match = _MISP_REGEX.fullmatch(entry.strip())
    body, flags = (match.group(1), match.group(2)) if match else (entry, "")
    compiled = 0
    for flag in flags:
        compiled |= _REGEX_FLAGS.get(flag, 0)
    try:
        return re.compile(body, compiled)
    except re.error:
        return None


def _add_list(index: _Index, warning_list: dict[str, Any]) -> None:
    kinds = list_kinds(warning_list)
    entries = [entry for entry in warning_list.get("list", []) if isinstance(entry, str)]
    if not kinds or not entries:
        return
    warning = Warning(str(warning_list["name"]), str(warning_list.get("description", "")))
    list_type = warning_list["type"]
    index.lists += 1
    if list_type == "hostname":
        _add_entries(index, index.hostnames, map(_domain_entry, entries), kinds, warning)
    elif list_type == "string":
        for kind in kinds:
            plausible = _PLAUSIBLE.get(kind)
            candidates = entries if plausible is None else [e for e in entries if plausible(e)]
            values = (_entry_value(kind, entry) for entry in candidates)
            _add_entries(index, index.exact, values, (kind,), warning)
    elif list_type == "substring":
        for entry in entries:
            text = entry.strip().lower()
            for kind in kinds:
                charset = _CHARACTERS.get(kind)
                if text and (charset is None or charset.issuperset(text)):
                    index.substrings.setdefault(kind, _Substrings()).add(text, warning)
    elif list_type == "regex":
        for entry in entries:
            pattern = _misp_regex(entry)
            if pattern is not None:
                for kind in kinds:
                    index.regexes.setdefault(kind, []).append((pattern, warning))
    elif list_type == "cidr":
        for entry in entries:
            network = _network_range(entry)
            if network is not None and network[0] in kinds:
                index.networks[network[0]].add(network[1], network[2], warning)


def _add_entries(
    index: _Index,
    table: dict[str, int],
    values: Iterable[str | None],
    kinds: Iterable[str],
    warning: Warning,
) -> None:
    hits: _Hits = tuple((kind, warning) for kind in kinds)
    number = index.number(hits)
    combined: dict[int, int] = {}  # an entry's old number -> its number with these hits
    get = table.get
    for value in values:
        if value:
            old = get(value)
            if old is None:
                table[value] = number
            else:
                new = combined.get(old)
                if new is None:
                    new = combined[old] = index.number(index.hits[old] + hits)
                table[value] = new


def _network_range(entry: str) -> tuple[str, int, int] | None:
    """A cidr entry's version and first and last addresses (non-strict); None when malformed.

    ``socket.inet_pton`` parses, not ``ipaddress``: the lists hold over 100,000 networks.
    """
    address, slash, length = entry.strip().partition("/")
    for family, kind, bits in ((socket.AF_INET, "ipv4", 32), (socket.AF_INET6, "ipv6", 128)):
        try:
            number = int.from_bytes(socket.inet_pton(family, address), "big")
        except OSError:
            continue
        prefix = int(length) if slash and length.isdigit() else (-1 if slash else bits)
        if not 0 <= prefix <= bits:
            return None
        host_mask = (1 << (bits - prefix)) - 1
        return kind, number & ~host_mask, number | host_mask
    return None


def _read_lists() -> Iterator[dict[str, Any]]:
    """The lists shipped in the wheel, one at a time (all at once would double the memory)."""
    root = importlib.resources.files("pymispwarninglists") / "data" / "misp-warninglists"
    for directory in sorted((root / "lists").iterdir(), key=lambda path: path.name):
        path = directory / "list.json"
        if path.is_file() and directory.name not in LEFT_OUT:
            yield orjson.loads(path.read_bytes())


_BUILDING = threading.Lock()
#: Lists longer than this are left out: the two top-million site lists (Tranco, Chrome UX)
#: would take some 300 MB in every process and most of the load time, for domains the
#: top-10,000 and top-20,000 lists already flag (the popular ones an analyst's feed holds).
MAX_LIST_ENTRIES = 250_000
#: Their folders, not even read.
LEFT_OUT = frozenset({"tranco", "google-chrome-crux-1million"})


def _index() -> _Index:
    """The index, built by the first caller; other threads wait for it rather than build too."""
    with _BUILDING:
        return _build_index()


@functools.cache
def _build_index() -> _Index:
    index = _Index()
    for warning_list in _read_lists():
        if warning_list.get("type") not in _TYPE_KINDS:
            continue
        if len(warning_list.get("list", ())) > MAX_LIST_ENTRIES:
            continue
        _add_list(index, warning_list)
    index.finish()
    return index


def load() -> int:
    """Build the index now rather than on the first value; returns the number of lists used."""
    return _index().lists


def _of_kind(index: _Index, number: int | None, kind: str, found: list[Warning]) -> None:
    if number is not None:
        found.extend(warning for hit_kind, warning in index.hits[number] if hit_kind == kind)


def _hostname_hits(index: _Index, name: str, kind: str, found: list[Warning]) -> None:
    """Lists holding ``name`` or one of its parent domains."""
    table = index.hostnames
    while True:
        _of_kind(index, table.get(name), kind, found)
        dot = name.find(".")
        if dot < 0:
            return
        name = name[dot + 1 :]


def _address_range(key: Key) -> tuple[int, int] | None:
    """The first and last address of an ipv4/ipv6 key (from its value if built by hand)."""
    if key.lo is None or key.hi is None:
        try:
            key = ip_key(key.value)
        except ValueError:
            return None
    return int(key.lo or "0", 16), int(key.hi or "0", 16)


def warnings_for(key: Key) -> tuple[Warning, ...]:
    """The warning lists that hold ``key``'s value, each once; () when none do."""
    index = _index()
    kind, value = key.kind, key.value
    found: list[Warning] = []
    if kind in _IPS:
        addresses = _address_range(key)
        if addresses is not None:
            index.networks[kind].search(*addresses, found)
    _of_kind(index, index.exact.get(value), kind, found)
    if kind == "domain":
        _hostname_hits(index, value, kind, found)
    elif kind == "url":
        host = urlsplit(value).hostname
        if host and ":" not in host and not host.replace(".", "").isdigit():  # not an address
            _hostname_hits(index, host, kind, found)
    substrings = index.substrings.get(kind)
    if substrings is not None:
        substrings.search(value, found)
    for pattern, warning in index.regexes.get(kind, ()):
        if pattern.search(value):
            found.append(warning)
    return tuple(dict.fromkeys(found))
