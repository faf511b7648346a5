"""Boilerplate out, headline and body kept, by line, with offsets into the text.

A scraped page keeps its chrome as short lines: a time banner, "Listen Live", "Get short
URL", share counts, section names, related headlines after the body, a tag list, comment
prompts. The article is the run of prose lines (sentences that end as sentences do) and the
headline right before it; everything else is dropped and said why.
"""

from __future__ import annotations

import re

from accord.ingest.source import Document

_CHROME = re.compile(
    r"^(listen live|get short url|share|tweet|print|email|subscribe|sign up|log ?in|"
    r"read more|related|comments?|community standards.*|discussion.*|advertisement|"
    r"follow us.*|all rights reserved.*|cookies?.*|newsletter.*|most read|trending|"
    r"skip to .*|menu|search|home|top stories|latest news|you may also like.*|"
    r"join the conversation.*|leave a comment.*|add a comment.*|show comments|"
    r"photo:.*|image:.*|video:.*|©.*|\(c\).*)$",
    re.IGNORECASE,
)
_COUNTS = re.compile(r"^[\d\s.,:kKmM+]+$")
_BANNER_DATE = re.compile(
    r"^\d{1,2}:\d{2}\s*(gmt|utc|msk)?\s*\d{1,2}\s+[a-z]+\s+\d{4}$|^\d{1,2}\s+[a-z]+\s+\d{4}"
    r"\s*,?\s*\d{1,2}:\d{2}$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?\"”’')\]»。！？…」』）]\s*$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
#: A Chinese byline or credit line, "(责任编辑：某某)", "撰文: 某某", "作者:某某 来源:某报": short
#: and outside the body, but its names are the article's (journalists are persons).
_ZH_BYLINE = re.compile(
    r"^[(（【\[]?\s*(?:(?:记者|記者|责任编辑|責任編輯|编辑|編輯|责编|責編|撰文|撰稿|编译|編譯|作者|"
    r"摄影|攝影)\s*[:：/／]?|(?:文|图|圖)\s*[:：/／])\s*[\u4e00-\u9fff]{2,4}"
)


def _words(line: str) -> int:
    """Words of a line; Chinese writes none apart, so two characters count as one."""
    return len(line.split()) + len(_HAN.findall(line)) // 2


def _is_prose(line: str) -> bool:
    return _words(line) >= 8 and bool(_SENTENCE_END.search(line))


def _is_tag_list(line: str) -> bool:
    parts = [p.strip() for p in line.split(",")]
    return len(parts) >= 3 and all(0 < len(p.split()) <= 4 for p in parts)


def lines_of(text: str) -> list[tuple[int, int, str]]:
    """The text's non-empty lines, stripped, with their offsets."""
    lines: list[tuple[int, int, str]] = []
    position = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            start = position + raw.index(stripped)
            lines.append((start, start + len(stripped), stripped))
        position += len(raw)
    return lines


def clean(document: Document) -> Document:
    """Mark each line of ``document.text`` kept or dropped (with the reason)."""
    text = document.text
    lines = lines_of(text)
    prose = [i for i, (_, _, line) in enumerate(lines) if _is_prose(line)]
    first, last = (prose[0], prose[-1]) if prose else (0, -1)
    for i, (start, end, line) in enumerate(lines):
        why = _why_dropped(line, i, first, last)
        if why is None:
            document.kept.append((start, end))
        else:
            document.dropped.append((start, end, why))
    # The headline: the HTML page's own, or a short title-like line right before the body.
    if document.html_title:
        found = text.find(document.html_title)
        if found >= 0:
            document.title = (found, found + len(document.html_title))
    if document.title is None and first > 0:
        start, end, line = lines[first - 1]
        if _headline_like(line):
            document.title = (start, end)
            document.kept.insert(0, (start, end))
            document.dropped = [d for d in document.dropped if d[0] != start]
    return document


def _headline_like(line: str) -> bool:
    words = line.split()
    latin = sum(1 for c in line if c.isascii() and c.isalpha())
    letters = sum(1 for c in line if c.isalpha()) or 1
    return (
        4 <= _words(line) <= 25
        and not _CHROME.match(line)
        and not _SENTENCE_END.search(line.rstrip('"”»'))
        # A name or a capital opening it (title case and sentence case both).
        and (latin < letters / 2 or any(w[:1].isupper() for w in words))
    )


def _why_dropped(line: str, index: int, first: int, last: int) -> str | None:
    if len(line) <= 40 and _ZH_BYLINE.match(line):
        return None
    if _CHROME.match(line):
        return "site chrome"
    if _COUNTS.match(line):
        return "share or view counts"
    if _BANNER_DATE.match(line):
        return "site banner date"
    if index < first:
        return "before the article body"
    if index > last:
        if _is_tag_list(line):
            return "tag list"
        return "after the article body (related headlines, tags, comments)"
    if _words(line) < 4 and not _SENTENCE_END.search(line):
        return "short line inside the body (section or caption)"
    return None
