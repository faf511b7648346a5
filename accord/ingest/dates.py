"""Dates in an article: when it was published, and when the events it reports happened.

The publication date is what the page states for itself, in this order: the HTML page's
metadata (``article:published_time``, JSON-LD ``datePublished``, ``<time itemprop>``), a
labelled date ("Published 20 December 2016", "date 2024-03-26", «Опубликовано», "发布时间"),
a date line in the head of the page (the lines before the body, "6 сентября 2010 г.",
"2024-03-29 20:09"), a dateline ("MOSCOW, March 23 (Reuters) -", "МОСКВА, 23 марта. /ТАСС/.",
"新华社北京3月23日电") when its year is known from the excerpt itself, an "Updated" label, and
a plain ``<time>`` element. Never a site banner's current date (a head line with a weekday
and a clock, which says when the page was shown, is used only where a dateline agrees with
it), a copyright year, a "Last updated" or crawl stamp, or a date inside the story.

Event dates written relative to the article ("on Monday", "yesterday", «вчера», "昨天",
"22日") are resolved against the publication date, keeping the expression, the date and its
precision; with no publication date they are flagged, not guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from accord.ingest.clean import _is_prose, _words, lines_of

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# Russian months by stem: genitive "марта", nominative "март", prepositional "марте", "мар".
RU_STEMS = ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RU_WEEKDAYS = ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень")
ZH_WEEKDAYS = "一二三四五六日"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
)
_RU_MONTH = (
    r"(?:январ[яьею]|феврал[яьею]|март[аеу]?|апрел[яьею]|ма[йяею]|июн[яьею]|июл[яьею]|"
    r"август[аеу]?|сентябр[яьею]|октябр[яьею]|ноябр[яьею]|декабр[яьею]|янв|фев|мар|апр|"
    r"июн|июл|авг|сент?|окт|нояб?|дек)\.?"
)
_YEAR = r"(?:1[89]|20)\d\d(?:(?!\d)|(?=\d{1,2}:\d\d))"  # "2 августа 202213:31" is 2022, 13:31
_ORD = r"(?:st|nd|rd|th)?"
ABSOLUTE = re.compile(
    rf"(?<![\w.])(?:(?P<d1>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m1>{_MONTH}),?\s+(?P<y1>{_YEAR})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}){_ORD},?\s+(?P<y2>{_YEAR})"
    rf"|(?P<rd>\d{{1,2}})\s+(?P<rm>{_RU_MONTH})\s+(?P<ry>{_YEAR})(?:\s*(?:года|г\.))?"
    rf"|(?P<iy>{_YEAR})(?P<isep>[-/.])(?P<im>\d{{1,2}})(?P=isep)(?P<id>\d{{1,2}})(?!\d)"
    rf"|(?P<na>\d{{1,2}})(?P<nsep>[./])(?P<nb>\d{{1,2}})(?P=nsep)(?P<ny>{_YEAR})"
    rf"|(?P<m3>{_MONTH})\s+(?P<y3>{_YEAR})"
    rf"|(?P<rm3>{_RU_MONTH})\s+(?P<ry3>{_YEAR})(?:\s*(?:года|г\.))?)(?![A-Za-zА-Яа-яЁё])"
    rf"|(?<!\d)(?P<zy>{_YEAR})\s*年\s*(?P<zm>\d{{1,2}})\s*月\s*(?P<zd>\d{{1,2}})\s*[日号號]",
    re.IGNORECASE,
)
RELATIVE = re.compile(
    r"\b(?:(?:on|last|this|next)\s+)?(?P<weekday>monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)\b|\b(?P<day>yesterday|today|tonight|tomorrow)\b|\b(?P<span>last|this|"
    r"next)\s+(?P<unit>week|month|year)\b|\b(?P<ago>\d+|two|three|four|five|six|seven|"
    r"several|a few)\s+(?P<agounit>days?|weeks?|months?|years?)\s+ago\b|\b(?:on\s+)?"
    rf"(?P<m4>{_MONTH})\s+(?P<d4>\d{{1,2}})\b(?!,?\s+\d{{4}})"
    r"|\b(?P<ruday>позавчера|вчера|сегодня|завтра)\b"
    r"|\bво?\s+(?P<ruweek>понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)\b"
    rf"|(?<![\d.])(?P<rd4>\d{{1,2}})\s+(?P<rm4>{_RU_MONTH})(?![\w.]*\s*\d)"
    r"|(?P<zhday>前天|昨天|昨日|今天|今日|明天|明日)"
    r"|(?:上|本|这|這)?(?:星期|周|週|礼拜|禮拜)(?P<zhweek>[一二三四五六日天])"
    r"|(?<![\d年月])(?:(?P<zm4>\d{1,2})月)?(?P<zd4>\d{1,2})[日号號](?!\d)",
    re.IGNORECASE,
)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_WEEKDAY_WORD = (
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?"
    r"|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье"
    rf"|(?:星期|周|週|礼拜|禮拜)[{ZH_WEEKDAYS}天]"
)
_WEEKDAY_IN_LINE = re.compile(rf"(?<![^\W\d_])(?:{_WEEKDAY_WORD})(?![^\W\d_])", re.IGNORECASE)
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?", re.IGNORECASE)
# Labels of the publication date; "updated" ones only where no other date is stated.
_LABEL = re.compile(
    r"(?<![^\W\d_])(?:(?P<pub>(?:first\s+)?(?:published|posted)(?:\s+on)?|publication\s+date"
    r"|date\s+published|опубликовано|дата\s+публикации|发布时间|發佈時間|發布時間|发布日期"
    r"|發佈日期|发表时间|發表時間|发稿时间)|(?P<date>date|дата|日期|时间|時間)"
    r"|(?<!last )(?P<upd>updated(?:\s+on)?|обновлено|更新时间|更新時間))\s*[:：]?\s*",
    re.IGNORECASE,
)
_AFTER_LABEL = re.compile(rf"(?:(?:{_WEEKDAY_WORD}),?\s+)?", re.IGNORECASE)
# Lines that say when a page was changed, seen or owned, never when it was written.
_NOT_PUBLICATION = re.compile(
    r"last\s+(?:updated|modified|edited)|©|\(c\)\s*\d|copyright|all rights reserved|crawl|"
    r"retrieved|accessed|archived|обновлено\s+в|последнее\s+обновление|版权|版權|更新于",
    re.IGNORECASE,
)
_DATELINES = (
    re.compile(
        r"^[(\[]?[^\W\d_][\w.'’ -]{1,40}?(?:,\s*[^\W\d_][\w.'’ ]{1,25}?)?,\s+"
        rf"(?:(?P<m>{_MONTH})\s*(?P<d>\d{{1,2}})|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH}))"
        rf"(?:\s*[’']\s*(?P<yy>\d\d)|,?\s+(?P<y>{_YEAR}))?\s*[.,)]?\s*(?:[(/\-–—:]|$)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^[А-ЯЁA-Z][\w .-]{{1,30}}?[,.]\s+(?P<d>\d{{1,2}})\s+(?P<m>{_RU_MONTH})"
        rf"(?:\s+(?P<y>{_YEAR})(?:\s*(?:года|г\.))?)?\s*[.,]?\s*(?:[-–—/.]|$)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^[【\[(（]?[^\W\d_]{{2,20}}?(?:(?P<y>{_YEAR})年)?(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})日"
        r"(?:電|电|讯|訊|消息|报道|報道|专电|專電)"
    ),
)
_NAMED_YEAR = re.compile(rf"(?<=[^\W\d_])[-–—‐]({_YEAR})(?![-–—‐]?\d)")
_HTML_STRONG = ("meta", "time datePublished", "json-ld")
_JSON_LD = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')


@dataclass(frozen=True, slots=True)
class Found:
    expression: str
    start: int
    end: int
    date: dt.date | None
    precision: str  # day | month | year | unknown
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "expression": self.expression,
            "date": self.date.isoformat() if self.date else None,
            "precision": self.precision,
            "evidence": {"start": self.start, "end": self.end, "text": self.expression},
            **({"note": self.note} if self.note else {}),
        }


def _month(name: str) -> int:
    """The month a written name stands for, English or Russian (by its stem)."""
    name = name.lower().rstrip(".")
    if name.isdigit():
        return int(name)
    if name in MONTHS:
        return MONTHS[name]
    if name.startswith("ма"):
        return 3 if name.startswith("мар") else 5
    return RU_STEMS.index(name[:3]) + 1


def parse_absolute(match: re.Match[str]) -> tuple[dt.date | None, str]:
    g = match.groupdict()
    try:
        if g["iy"]:
            return dt.date(int(g["iy"]), int(g["im"]), int(g["id"])), "day"
        if g["zy"]:
            return dt.date(int(g["zy"]), int(g["zm"]), int(g["zd"])), "day"
        if g["na"]:
            first, second = int(g["na"]), int(g["nb"])
            if g["nsep"] == "/" and first <= 12 < second:  # 12/29/2014: month first
                first, second = second, first
            elif g["nsep"] == "/" and first <= 12 and second <= 12:
                return None, "unknown"  # 07/08/2016 reads both ways
            return dt.date(int(g["ny"]), second, first), "day"
        for d, m, y in (("d1", "m1", "y1"), ("d2", "m2", "y2"), ("rd", "rm", "ry")):
            if g[d]:
                return dt.date(int(g[y]), _month(g[m]), int(g[d])), "day"
        if g["m3"]:
            return dt.date(int(g["y3"]), _month(g["m3"]), 1), "month"
        return dt.date(int(g["ry3"]), _month(g["rm3"]), 1), "month"
    except (ValueError, KeyError, TypeError):
        return None, "unknown"


def json_ld_dates(page: str | None) -> list[tuple[str, str]]:
    """``datePublished`` values of an HTML page's JSON-LD blocks."""
    return [(value, "json-ld datePublished") for value in _JSON_LD.findall(page or "")]


def _html_date(value: str) -> tuple[dt.date | None, str]:
    found = ABSOLUTE.search(re.sub(r"(\d{4}-\d{2}-\d{2})T", r"\1 ", value))
    return parse_absolute(found) if found else (None, "unknown")


def _result(
    date: dt.date, precision: str, source: str, confidence: str, span: tuple[int, int] | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "date": date.isoformat(),
        "precision": precision,
        "source": source,
        "confidence": confidence,
    }
    if span:
        result["evidence"] = {"start": span[0], "end": span[1]}
    return result


def _day_dates(line: str) -> list[tuple[re.Match[str], dt.date]]:
    found = []
    for match in ABSOLUTE.finditer(line):
        date, precision = parse_absolute(match)
        if date and precision == "day":
            found.append((match, date))
    return found


def _date_line(line: str) -> tuple[re.Match[str], dt.date] | None:
    """The date of a line that is a date (with a clock, a weekday, a byline or a source
    beside it), not a sentence or caption that mentions one."""
    found = _day_dates(line)
    if not found:
        return None
    match, date = found[0]
    rest = _CLOCK.sub(" ", line[: match.start()] + " " + line[match.end() :])
    rest = _WEEKDAY_IN_LINE.sub(" ", rest)
    rest = re.sub(
        r"\b(?:gmt|utc|msk|ist|est|edt|pst|bdst|ast|cet|et|pt|мск)\b", " ", rest, flags=re.I
    )
    return (match, date) if _words(re.sub(r"[|/,:;()\-–—]", " ", rest)) <= 8 else None


def _clock_line(line: str, match: re.Match[str]) -> bool:
    """A weekday and a clock beside a date: a site's banner shows today so."""
    rest = line[: match.start()] + " " + line[match.end() :]
    return bool(_WEEKDAY_IN_LINE.search(rest) and _CLOCK.search(rest))


def _label_dates(
    lines: list[tuple[int, int, str]], skip: set[tuple[int, int]]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The first published-label date and the first "updated" one."""
    published: dict[str, Any] | None = None
    updated: dict[str, Any] | None = None
    for start, end, line in lines:
        if (start, end) in skip or _NOT_PUBLICATION.search(line):
            continue
        for label in _LABEL.finditer(line):
            at_start = not line[: label.start()].strip(" #*-|")
            if _is_prose(line) and not at_start:
                continue  # "the report, published on 3 May 2019, said": an event's date
            if label.group("date") and not (
                at_start or ":" in label.group() or "：" in label.group()
            ):
                continue
            after = _AFTER_LABEL.match(line, label.end())
            found = ABSOLUTE.match(line, after.end() if after else label.end())
            date, precision = parse_absolute(found) if found else (None, "unknown")
            if found is None or date is None:
                continue
            span = (start + label.start(), start + found.end())
            kind = "updated" if label.group("upd") else "labelled"
            dated = _result(
                date,
                precision,
                f"{kind} date {line[label.start() : found.end()]!r}",
                "medium" if kind == "updated" else "high",
                span,
            )
            if kind == "updated":
                updated = updated or dated
            elif published is None:
                published = dated
        if published:
            break
    return published, updated


def _dateline(line: str) -> tuple[re.Match[str], int, int, int | None] | None:
    """A dateline's match, month, day and the year when it writes one."""
    for pattern in _DATELINES:
        found = pattern.match(line)
        if not found:
            continue
        g = found.groupdict()
        month = _month(g.get("m") or g.get("m2") or "")
        day = int(g.get("d") or g.get("d2") or 0)
        year = int(g["y"]) if g.get("y") else (2000 + int(g["yy"]) if g.get("yy") else None)
        return found, month, day, year
    return None


def _dateline_year(month: int, day: int, dated: list[dt.date], clocks: list[dt.date]) -> int | None:
    """The dateline's year from the excerpt: a head line's date of the same day, or a full
    date the excerpt writes within a month before the dateline's day."""
    for date in clocks:
        if (date.month, date.day) == (month, day):
            return date.year
    best: tuple[int, int] | None = None
    for date in dated:
        for year in (date.year, date.year + 1):
            try:
                gap = (dt.date(year, month, day) - date).days
            except ValueError:
                continue
            if 0 <= gap <= 31 and (best is None or gap < best[0]):
                best = (gap, year)
    return best[1] if best else None


def _named_year(text: str) -> int | None:
    """The year an exercise or operation the article names carries ("Peace Mission-2010",
    "反恐协作-2024"), when it names one year so; a range ("2022-2024") is not a name."""
    years = {int(y) for y in _NAMED_YEAR.findall(text)}
    return years.pop() if len(years) == 1 else None


def publication_date(
    text: str,
    dropped: list[tuple[int, int, str]],
    html_dates: list[tuple[str, str]],
    page: str | None = None,
) -> dict[str, Any]:
    """The publication date with its source and how sure we are, or why there is none.
    ``page`` is the HTML page itself when the article came as HTML (for its JSON-LD)."""
    metadata = [*html_dates, *json_ld_dates(page)]
    for value, where in metadata:
        if where.startswith(_HTML_STRONG):
            date, precision = _html_date(value)
            if date:
                return _result(date, precision, where, "high")
    lines = lines_of(text)
    banners = {(s, e) for s, e, why in dropped if why == "site banner date"}
    published, updated = _label_dates(lines, banners)
    if published:
        return published
    prose = [i for i, (_, _, line) in enumerate(lines) if _is_prose(line)]
    # The head: the lines before the body, and never fewer than the first six (a headline
    # that ends as a sentence does reads as prose).
    body = max(prose[0] if prose else 10, 6)
    clocks: list[dt.date] = []
    seen: list[str] = [line for s, e, line in lines if (s, e) in banners]
    # The headline: the first line of four words or more that is not a date line. A weekday
    # and a clock under it date the article ("Saturday 23 March 2024 10.15 GMT"); above it,
    # they are the site's banner showing today.
    headline = next(
        (
            i
            for i, (_, _, line) in enumerate(lines[:body])
            if _words(line) >= 4 and not _date_line(line)
        ),
        None,
    )
    for index, (start, end, line) in enumerate(lines[: min(body, 15)]):
        if _NOT_PUBLICATION.search(line):
            seen.append(line)
            continue
        dated = _date_line(line)
        if dated is None or any(label.group("upd") for label in _LABEL.finditer(line)):
            continue  # an "Updated" line counts only where nothing else dates the page
        match, date = dated
        under_headline = headline is not None and headline < index <= headline + 3
        if (start, end) in banners or (_clock_line(line, match) and not under_headline):
            clocks.append(date)
            seen.append(line)
            continue
        span = (start + match.start(), start + match.end())
        return _result(date, "day", f"date line {line!r}", "high", span)
    for s, e, line in lines:
        if (s, e) in banners:
            clocks += [d for _, d in _day_dates(line)]
    written = [
        date
        for s, e, line in lines
        if (s, e) not in banners and not _NOT_PUBLICATION.search(line)
        for _, date in _day_dates(line)
    ]
    for start, _end, line in lines[: body + 2]:
        found = _dateline(line)
        if found is None:
            continue
        match, month, day, year = found
        own = year is not None
        year = year or _dateline_year(month, day, written, clocks) or _named_year(text)
        if year is None:
            continue
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue
        span = (start + match.start(), start + match.end())
        where = f"dateline {match.group().strip()!r}" + (
            "" if own else f", year {year} from the excerpt"
        )
        return _result(date, "day", where, "high" if own else "medium", span)
    if updated:
        return updated
    for value, where in metadata:
        date, precision = _html_date(value)
        if date:
            return _result(date, precision, where, "medium")
    return {
        "date": None,
        "precision": "unknown",
        "source": None,
        "confidence": "none",
        "note": "no labelled publication date, date line or dated dateline"
        + (
            f"; {seen[0]!r} is a site banner, copyright or update stamp: it says when the page "
            "was shown or changed, not written"
            if seen
            else ""
        ),
    }


def event_dates(text: str, start: int, end: int, anchor: dt.date | None) -> list[Found]:
    """Dates in ``text[start:end]``: absolute ones, and relative ones resolved on ``anchor``."""
    found: list[Found] = []
    for match in ABSOLUTE.finditer(text, start, end):
        date, precision = parse_absolute(match)
        found.append(Found(match.group(), match.start(), match.end(), date, precision))
    for match in RELATIVE.finditer(text, start, end):
        if any(f.start <= match.start() < f.end for f in found):
            continue
        date, precision = _resolve(match, anchor)
        note = "" if date else "relative date with no publication date to resolve it"
        found.append(Found(match.group(), match.start(), match.end(), date, precision, note))
    return sorted(found, key=lambda f: f.start)


def _weekday_back(anchor: dt.date, wanted: int) -> dt.date:
    return anchor - dt.timedelta(days=(anchor.weekday() - wanted) % 7)  # news reports past days


def _month_day(anchor: dt.date, month: int, day: int) -> dt.date | None:
    """A month and day without a year: the latest one on or before ``anchor``."""
    year = anchor.year if (month, day) <= (anchor.month, anchor.day) else anchor.year - 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _resolve(match: re.Match[str], anchor: dt.date | None) -> tuple[dt.date | None, str]:
    g = match.groupdict()
    unit = (g["agounit"] or g["unit"] or "day").lower().rstrip("s")
    if anchor is None:
        return None, unit if g["agounit"] or g["unit"] else "day"
    if g["weekday"]:
        wanted = WEEKDAYS.index(g["weekday"].lower())
        if "next" in match.group().lower():
            return anchor + dt.timedelta(days=(wanted - anchor.weekday()) % 7 or 7), "day"
        return _weekday_back(anchor, wanted), "day"
    if g["ruweek"]:
        word = g["ruweek"].lower()
        return _weekday_back(
            anchor, next(i for i, w in enumerate(RU_WEEKDAYS) if word.startswith(w))
        ), "day"
    if g["zhweek"]:
        wanted = "一二三四五六".find(g["zhweek"])
        return _weekday_back(anchor, 6 if wanted < 0 else wanted), "day"
    shifts = {
        "yesterday": -1,
        "today": 0,
        "tonight": 0,
        "tomorrow": 1,
        "позавчера": -2,
        "вчера": -1,
        "сегодня": 0,
        "завтра": 1,
        "前天": -2,
        "昨天": -1,
        "昨日": -1,
        "今天": 0,
        "今日": 0,
        "明天": 1,
        "明日": 1,
    }
    word = (g["day"] or g["ruday"] or g["zhday"] or "").lower()
    if word:
        return anchor + dt.timedelta(days=shifts[word]), "day"
    if g["span"]:
        step = {"last": -1, "this": 0, "next": 1}[g["span"].lower()]
        if unit == "week":
            monday = anchor - dt.timedelta(days=anchor.weekday()) + dt.timedelta(weeks=step)
            return monday, "week"
        if unit == "month":
            month = anchor.month + step
            year = anchor.year + (month - 1) // 12
            return dt.date(year, (month - 1) % 12 + 1, 1), "month"
        return dt.date(anchor.year + step, 1, 1), "year"
    if g["ago"]:
        raw = g["ago"].lower()
        count = int(raw) if raw.isdigit() else _NUMBERS.get(raw)
        if count is None:
            return None, unit  # "several days ago": not a date
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * count
        return anchor - dt.timedelta(days=days), "day" if unit in ("day", "week") else unit
    if g["m4"] or g["rm4"]:
        month = _month(g["m4"] or g["rm4"])
        return _month_day(anchor, month, int(g["d4"] or g["rd4"])), "day"
    if g["zd4"]:
        day = int(g["zd4"])
        if g["zm4"]:
            return _month_day(anchor, int(g["zm4"]), day), "day"
        month, year = (
            (anchor.month, anchor.year)
            if day <= anchor.day
            else ((anchor.month - 2) % 12 + 1, anchor.year - (anchor.month == 1))
        )
        try:
            return dt.date(year, month, day), "day"
        except ValueError:
            return None, "day"
    return None, "unknown"
