"""An article's bytes to text: checked, decoded, HTML reduced to its text, boilerplate marked.

Every later step works on ``Document.text`` and reports character offsets into it. For a
plain-text article that is the file itself (decoded); for HTML it is the text the page shows,
script and style left out, one block element per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from accord.errors import InvalidInput, PayloadTooLarge
from accord.limits import DEFAULT_LIMITS

#: The largest article read unless the node says otherwise (``max_article_bytes``).
MAX_BYTES = DEFAULT_LIMITS.article_bytes

_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th section article header footer nav aside "
    "blockquote pre figure figcaption title time table main form".split()
)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "head"})
_SKIPPED_CONTAINERS = frozenset({"nav", "footer", "aside", "form"})


@dataclass
class Document:
    text: str
    #: (start, end) of each line kept as the article (headline and body).
    kept: list[tuple[int, int]] = field(default_factory=list)
    #: (start, end, why) of each line left out as boilerplate.
    dropped: list[tuple[int, int, str]] = field(default_factory=list)
    title: tuple[int, int] | None = None
    html_title: str | None = None
    html_dates: list[tuple[str, str]] = field(default_factory=list)  # (value, where found)
    is_html: bool = False


def decode(data: bytes, name: str = "input", max_bytes: int = MAX_BYTES) -> str:
    """UTF-8 text, or a clear error naming what is wrong."""
    if not data.strip():
        raise InvalidInput(f"{name} is empty")
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"{name} is {len(data):,} bytes; an article may be at most {max_bytes:,} "
            "(max_article_bytes)"
        )
    sample = data[:8192]
    if b"\x00" in sample or sum(1 for b in sample if b < 9 or 13 < b < 32) > len(sample) // 50:
        raise InvalidInput(f"{name} is binary, not text or HTML")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        try:
            return data.decode("cp1252")  # pages saved by Windows browsers
        except UnicodeDecodeError:
            raise InvalidInput(
                f"{name} is not UTF-8 text (byte {error.start} cannot be decoded)"
            ) from None


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return (
        head.startswith(("<!doctype html", "<html")) or len(re.findall(r"</?[a-z]+[ >]", head)) > 5
    )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.container_skip = 0
        self.in_title = False
        self.title = ""
        self.h1 = ""
        self.in_h1 = False
        self.dates: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop") or ""
            if key.lower() in (
                "article:published_time",
                "datepublished",
                "pubdate",
                "publishdate",
                "date",
                "dc.date.issued",
                "og:published_time",
            ):
                self.dates.append((values.get("content") or "", f"meta {key}"))
        if tag == "time" and values.get("datetime"):
            label = "time " + ("datePublished" if values.get("itemprop") else "element")
            self.dates.append((values["datetime"] or "", label))
        if tag in _SKIPPED:
            self.skip += 1
        if tag in _SKIPPED_CONTAINERS:
            self.container_skip += 1
        if tag == "title":
            self.in_title = True
        if tag == "h1":
            self.in_h1 = True
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.skip:
            self.skip -= 1
        if tag in _SKIPPED_CONTAINERS and self.container_skip:
            self.container_skip -= 1
        if tag == "title":
            self.in_title = False
        if tag == "h1":
            self.in_h1 = False
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
            return
        if self.skip or self.container_skip:
            return
        if self.in_h1:
            self.h1 += data
        self.parts.append(re.sub(r"\s+", " ", data))  # line breaks come from block elements


def html_to_document(html: str) -> Document:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(line for line in lines if line)
    document = Document(text, is_html=True)
    document.html_title = " ".join((parser.h1 or parser.title).split()) or None
    document.html_dates = parser.dates
    return document
