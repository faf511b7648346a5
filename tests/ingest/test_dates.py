"""Publication and event dates: labels, date lines, datelines in three languages, HTML
metadata, and the traps (site banners, copyright years, update stamps, dates in the story)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accord.ingest import dates
from accord.ingest.clean import clean
from accord.ingest.source import Document, html_to_document

BODY = (
    "Officials said the attack on the checkpoint killed three officers and wounded several "
    "others, and that an investigation had been opened.\n"
)


def published(text: str) -> dict[str, Any]:
    document = clean(Document(text))
    return dates.publication_date(document.text, document.dropped, document.html_dates)


def from_html(page: str) -> dict[str, Any]:
    document = clean(html_to_document(page))
    return dates.publication_date(document.text, document.dropped, document.html_dates, page)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Labelled dates, also at the foot of the page and after a weekday.
        ("date 2023-05-17 " + BODY, "2023-05-17"),
        (
            "Bombing Hits Police Post\n\n" + BODY + "\nFirst Published: Feb 3 2019 | 4:14 PM IST",
            "2019-02-03",
        ),
        (
            "Bombing Hits Police Post\nBy AFP Published: Sun 13 Aug 2023, 10:21 PM\n" + BODY,
            "2023-08-13",
        ),
        ("Взрыв у поста полиции\nОпубликовано: 14.07.2021\n" + BODY, "2021-07-14"),
        ("警方破获恐袭阴谋\n发布时间:2020年6月5日 10:00\n" + BODY, "2020-06-05"),
        # Date lines under the headline.
        ("Bombing Hits Police Post\n\nApril 5, 2010 / 8:05 AM\n\n" + BODY, "2010-04-05"),
        ("Взрыв у поста полиции\n\n6 сентября 2010 г.\n\n" + BODY, "2010-09-06"),
        ("Взрыв у поста полиции\n2 августа 202213:31\n" + BODY, "2022-08-02"),
        ("警方破获恐袭阴谋\n\n2015/02/11 09:53\n\n" + BODY, "2015-02-11"),
        ("警方破获恐袭阴谋\n2017-10-30王逸\n" + BODY, "2017-10-30"),
    ],
)
def test_labelled_dates_and_date_lines(text: str, expected: str) -> None:
    assert published(text)["date"] == expected


def test_datelines_take_their_year_from_the_excerpt() -> None:
    english = (
        "KUALA LUMPUR, May 31 (Bernama) - Police have arrested three suspects in raids from "
        "May 24 to May 30, 2019, the police chief said in a statement on Friday.\n"
    )
    result = published(english)
    assert result["date"] == "2019-05-31" and result["source"].startswith("dateline")
    assert result["evidence"]["start"] == 0
    russian = (
        "МОСКВА, 23 марта. /ТАСС/. Число погибших при теракте выросло, сообщили в ведомстве "
        "вечером 22 марта 2024 года, добавив, что задержаны четверо подозреваемых.\n"
    )
    assert published(russian)["date"] == "2024-03-23"
    chinese = (
        "【看中国2024年3月29日讯】塔吉克斯坦拘捕了九名涉嫌与莫斯科音乐厅枪击案有关的人员，"
        "警方表示。\n"
    )
    assert published(chinese)["date"] == "2024-03-29"
    xinhua = (
        "新华社北京9月13日电 记者从在北京举行的会议获悉，各方积极评价“反恐协作-2024”联合反恐演习"
        "的成果，认为有助于巩固合作。\n"
    )
    assert published(xinhua)["date"] == "2024-09-13"


@pytest.mark.parametrize(
    "text",
    [
        # A dateline with no year on the page: no date, even with a year in the story.
        "MOSCOW, February 17 (RAPSI) - A court sentenced 13 members of a group the Supreme "
        "Court banned as extremist in May 2012, RIA Novosti reported on Tuesday.\n",
        "Уфа. 19 декабря. ИНТЕРФАКС - Суд вынес приговор участникам ячейки, которые в 2015 году "
        "вербовали сторонников, сообщили в пресс-службе суда.\n",
        "新华社北京3月23日电 记者23日从公安部获悉，警方破获一起恐怖袭击案件，抓获犯罪嫌疑人五名，"
        "案件正在进一步侦办中。\n",
        "MOSCOW, February 17 (RAPSI) - A court sentenced 13 members of a group the Supreme "
        "Court banned as extremist on 12 May 2012, RIA Novosti reported on Tuesday.\n",
        # Dates of events inside the story are not the publication date.
        "Bombing Hits Police Post\n\nThe report, published on 3 May 2019, said that three "
        "officers were killed when gunmen attacked the checkpoint.\n",
        "Bombing Hits Police Post\n\nThe attack on 12 March 2021 killed three officers and "
        "wounded several others, officials said on Monday.\n",
        "Взрыв у поста полиции\n\nВзрыв произошел 23 марта 2024 года в Красногорске, погибли "
        "три человека, сообщили в МВД.\n",
        "警方破获恐袭阴谋\n\n2024年3月22日晚，莫斯科郊外的音乐厅发生恐怖袭击事件，造成多人死亡，警方表示。\n",
    ],
)
def test_no_date_is_invented(text: str) -> None:
    result = published(text)
    assert result["date"] is None and result["confidence"] == "none" and result["note"]


@pytest.mark.parametrize(
    ("text", "banner"),
    [
        (
            "Wednesday, January 28, 2026 | 04:32 AM IST\n\nBombing Hits Police Post\n\n" + BODY,
            "2026",
        ),
        ("15:48 GMT 12 August 2020\n\nBombing Hits Police Post\n\n" + BODY, "2020"),
        (". Last Updated: 07/27/2016\n\nBombing Hits Police Post\n\n" + BODY, "2016"),
        (
            "Bombing Hits Police Post\n\n" + BODY + "\n© 2020 Example News. All rights reserved.",
            "2020",
        ),
        ("Bombing Hits Police Post\nLast updated 12 May 2022\n" + BODY, "2022"),
        ("中国时间 11:25 2024年11月28日 星期四\n\n警方破获恐袭阴谋\n\n" + BODY, "2024"),
    ],
)
def test_banners_copyrights_and_update_stamps_are_never_taken(text: str, banner: str) -> None:
    result = published(text)
    assert result["date"] is None
    assert banner in result["note"] and "banner" in result["note"]


def test_a_label_beats_a_banner_and_a_dateline_confirms_a_clock_line() -> None:
    text = (
        "Wednesday, January 28, 2026 | 04:32 AM IST\n\nBombing Hits Police Post\n\n"
        + BODY
        + "\nFirst Published: Jun 11 2015 | 4:14 PM IST"
    )
    assert published(text)["date"] == "2015-06-11"
    agreed = (
        "Mon, 12/29/2014 - 13:09\n\nCourt Bans Two Groups as Terrorist\n\n"
        "MOSCOW, December 29. /TASS/. Russia's Supreme Court issued a ruling on Monday "
        "recognising two groups as terrorist organisations.\n"
    )
    assert published(agreed)["date"] == "2014-12-29"


def test_updated_counts_only_when_nothing_else_dates_the_page() -> None:
    only = "Bombing Hits Police Post\nAssociated Press | Updated: March 29, 2013 11:33 IST\n" + BODY
    assert published(only)["date"] == "2013-03-29"
    both = (
        "Bombing Hits Police Post\nPublished: 09 Aug 2019 02:54 PM Updated: 10 Aug 2019 09:00 AM\n"
        + BODY
    )
    assert published(both)["date"] == "2019-08-09"


def test_html_metadata() -> None:
    head = "<html><head>{}</head><body><h1>Bombing Hits Police Post</h1><p>{}</p></body></html>"
    meta = '<meta property="article:published_time" content="2024-03-23T10:15:00+03:00">'
    result = from_html(head.format(meta, BODY))
    assert result["date"] == "2024-03-23" and result["source"].startswith("meta")
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2021-06-02T08:00:00Z"}</script>'
    )
    assert from_html(head.format(ld, BODY))["date"] == "2021-06-02"
    timed = '<time itemprop="datePublished" datetime="2019-11-05">5 November</time>'
    assert from_html(head.format("", timed + BODY))["date"] == "2019-11-05"
    modified = '<meta property="article:modified_time" content="2025-01-01T00:00:00Z">'
    assert from_html(head.format(modified, BODY))["date"] is None


def _resolved(text: str, anchor: dt.date) -> dict[str, str | None]:
    return {
        f.expression: f.date.isoformat() if f.date else None
        for f in dates.event_dates(text, 0, len(text), anchor)
    }


def test_relative_dates_resolve_against_the_publication_date() -> None:
    saturday = dt.date(2024, 3, 23)
    english = _resolved("Gunmen attacked yesterday; police said on Monday, on March 20.", saturday)
    assert english == {
        "yesterday": "2024-03-22",
        "on Monday": "2024-03-18",
        "on March 20": "2024-03-20",
    }
    russian = _resolved(
        "Теракт произошел вчера, а в понедельник, 18 марта, задержали двоих.", saturday
    )
    assert russian["вчера"] == "2024-03-22"
    assert russian["в понедельник"] == "2024-03-18"
    assert russian["18 марта"] == "2024-03-18"
    chinese = _resolved("昨天警方表示，22日晚发生袭击，3月20日抓获嫌疑人。", saturday)
    assert chinese == {"昨天": "2024-03-22", "22日": "2024-03-22", "3月20日": "2024-03-20"}
    # A day of the month after the publication day is last month's.
    assert _resolved("28日", saturday) == {"28日": "2024-02-28"}
    full = _resolved("23 марта 2024 года и 2024年3月23日", saturday)
    assert set(full.values()) == {"2024-03-23"}


def test_relative_dates_without_a_publication_date_are_flagged() -> None:
    found = dates.event_dates("вчера и 昨天 and yesterday", 0, 24, None)
    assert len(found) == 3 and all(f.date is None and f.note for f in found)


def test_a_weekday_and_clock_under_the_headline_date_the_article_above_it_the_banner() -> None:
    under = "Gunmen attack a checkpoint near Quetta\n\nSaturday 23 March 2024 10.15 GMT\n\n" + BODY
    assert published(under)["date"] == "2024-03-23"
    above = "Wednesday, January 28, 2026 | 04:32 AM\n\nGunmen attack a checkpoint near Quetta\n\n"
    assert published(above + BODY)["date"] is None
