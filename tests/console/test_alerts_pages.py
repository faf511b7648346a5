"""Alerts and watches in the console (SQLite and PostgreSQL): a party's alerts with the
object and the reason, never another party's; the header's unread count; acknowledging and
removing only the party's own, from the node's own pages; bad watches refused on the page."""

from __future__ import annotations

import re
from html import unescape

import pytest

from accord.console import pages_alerts
from tests.alerting import domain, person, publish
from tests.conftest import Node
from tests.console.test_console import csrf_of, sign_in

STIX = {"Content-Type": "application/stix+json;version=2.1"}


def watch(node: Node, account: str, **body: str) -> None:
    answer = node.client.post("/api/v1/watches", json=body, headers=node.headers(account))
    assert answer.status_code == 201, answer.text


def header_count(html: str) -> int:
    link = re.search(r'data-testid="alerts-link">Alerts(?: <span[^>]*>\((\d+)\)</span>)?</a>', html)
    assert link, "every signed-in page links to the alerts"
    return int(link.group(1) or 0)


def alert_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-alert="(\d+)"', html)]


def test_a_party_sees_its_alerts_with_links_and_reasons_and_no_other_partys(trio: Node) -> None:
    watch(trio, "kz", name="Абдулла Хасанов")
    watch(trio, "kz", value="domain-name:example.org")
    watch(trio, "cn", value="domain-name:example.org")
    named = person("Abdulla Khasanov")
    site = domain("example.org")
    publish(trio, "ru", named, "kz-ru")
    publish(trio, "ru", site, "kz-ru")
    sign_in(trio, "kz")
    page = trio.client.get("/ui/alerts")
    assert page.status_code == 200, page.text
    html = page.text
    assert len(alert_ids(html)) == 2
    assert f'href="/ui/objects/{named["id"]}?origin=ru-nac">Abdulla Khasanov</a>' in html
    assert f'href="/ui/objects/{site["id"]}?origin=ru-nac">' in html
    # The name's reason: score, band, and the word pairs.
    assert "matched the watched name <strong>Абдулла Хасанов</strong>" in html
    assert re.search(r"score [01]\.\d\d, band ", html)
    pairs = re.search(r'data-testid="pairs">(.*?)</table>', html, re.S)
    assert pairs and "<td>hasanov</td>" in pairs.group(1)
    # The value's reason: part, value and how.
    assert "<strong>example.org</strong>" in html and "equal after normalising" in html
    assert "name: Абдулла Хасанов" in html and "value: domain-name:example.org" in html
    # The object page the link leads to opens for kz.
    assert trio.client.get(f"/ui/objects/{named['id']}?origin=ru-nac").status_code == 200
    # cn's analyst sees none of it, not even a count.
    sign_in(trio, "cn")
    other = trio.client.get("/ui/alerts").text
    assert alert_ids(other) == [] and "Abdulla Khasanov" not in other
    assert header_count(other) == 0 and "0 not acknowledged" in other


def test_header_count_acknowledge_and_filter(trio: Node) -> None:
    watch(trio, "kz", name="Abdulla Khasanov")
    for n in range(3):
        publish(trio, "ru", person("Abdulla Khasanov", n), "kz-ru")
    csrf = sign_in(trio, "kz-reader")  # a reader of the party sees and acknowledges them
    for path in ("/ui/inbox", "/ui/alerts", "/ui/screen"):
        assert header_count(trio.client.get(path).text) == 3, path
    first = alert_ids(trio.client.get("/ui/alerts").text)[0]
    done = trio.client.post(
        f"/ui/alerts/{first}/ack",
        data={"csrf": csrf, "back": "/ui/alerts?unacknowledged=1"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/ui/alerts?unacknowledged=1"
    page = trio.client.get("/ui/alerts").text
    assert header_count(page) == 2
    row = re.search(rf'data-testid="ack-{first}">(.*?)</td>', page, re.S)
    assert row and "by kz-reader" in row.group(1) and "Acknowledge</button>" not in row.group(1)
    unacked = trio.client.get("/ui/alerts?unacknowledged=1").text
    assert first not in alert_ids(unacked) and len(alert_ids(unacked)) == 2
    # A redirect never leaves the alerts page.
    away = trio.client.post(
        f"/ui/alerts/{first}/ack",
        data={"csrf": csrf, "back": "//evil.example/ui/alerts"},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/ui/alerts"


def test_forged_acknowledgements_are_refused(trio: Node) -> None:
    watch(trio, "kz", name="Abdulla Khasanov")
    publish(trio, "ru", person("Abdulla Khasanov"), "kz-ru")
    csrf = sign_in(trio, "kz")
    number = alert_ids(trio.client.get("/ui/alerts").text)[0]
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}):
        forged = trio.client.post(f"/ui/alerts/{number}/ack", data={"csrf": csrf}, headers=headers)
        assert forged.status_code == 403, headers
    stale = trio.client.post(f"/ui/alerts/{number}/ack", data={"csrf": "0" * 32})
    assert stale.status_code == 403
    assert header_count(trio.client.get("/ui/alerts").text) == 1
    # Another party's analyst (and admin) get the console's 404 page for kz's number.
    for other in ("cn", "cn-admin"):
        csrf = sign_in(trio, other)
        missing = trio.client.post(f"/ui/alerts/{number}/ack", data={"csrf": csrf})
        assert missing.status_code == 404 and "<html" in missing.text
        assert "Abdulla" not in missing.text
    sign_in(trio, "kz")
    assert header_count(trio.client.get("/ui/alerts").text) == 1


def test_names_from_other_parties_are_escaped(trio: Node) -> None:
    # The object's name (another party's), the reason's value and the watch's text.
    watch(trio, "kz", name="<script>alert(1)</script> Abdulla Khasanov")
    publish(trio, "ru", person("Abdulla Khasanov <script>alert(1)</script>"), "kz-ru")
    sign_in(trio, "kz")
    html = trio.client.get("/ui/alerts").text
    assert len(alert_ids(html)) == 1
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_watches_page_adds_lists_and_removes(trio: Node) -> None:
    csrf = sign_in(trio, "kz")
    added = trio.client.post(
        "/ui/watches",
        data={"csrf": csrf, "kind": "value", "text": "domain-name:example.org", "note": "<b>"},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == "/ui/watches"
    page = trio.client.get("/ui/watches").text
    assert 'data-watch="1"' in page and "domain-name:example.org" in page
    assert "&lt;b&gt;" in page and "<b>" not in page
    assert 'action="/ui/watches/1/remove"' in page
    publish(trio, "ru", domain("example.org"), "kz-ru")
    assert header_count(trio.client.get("/ui/watches").text) == 1
    # Another party cannot remove it (a 404, as for a watch that does not exist).
    for other in ("cn", "cn-admin"):
        csrf_cn = sign_in(trio, other)
        assert 'data-watch="1"' not in trio.client.get("/ui/watches").text
        refused = trio.client.post("/ui/watches/1/remove", data={"csrf": csrf_cn})
        assert refused.status_code == 404 and "<html" in refused.text
    # Nor an analyst of the same party who did not add it; its reader sees no button.
    csrf_reader = sign_in(trio, "kz-reader")
    assert 'action="/ui/watches/1/remove"' not in trio.client.get("/ui/watches").text
    assert trio.client.post("/ui/watches/1/remove", data={"csrf": csrf_reader}).status_code == 404
    sign_in(trio, "kz")
    forged = trio.client.post(
        "/ui/watches/1/remove", data={"csrf": csrf}, headers={"Origin": "http://evil.example"}
    )
    assert forged.status_code == 403
    csrf = csrf_of(trio.client.get("/ui/watches").text)
    gone = trio.client.post("/ui/watches/1/remove", data={"csrf": csrf}, follow_redirects=False)
    assert gone.status_code == 303
    assert 'data-watch="1"' not in trio.client.get("/ui/watches").text


def test_a_bad_watch_is_refused_on_the_page_naming_the_field(trio: Node) -> None:
    csrf = sign_in(trio, "kz")
    cases = [
        ({"kind": "value", "text": "ipv4-addr:999.1.1.1"}, "value:"),
        ({"kind": "subject", "text": "nonsense"}, "subject:"),
        ({"kind": "name", "text": "   "}, "name:"),
        ({"kind": "name", "text": "Abdulla Khasanov", "expires": "2001-01-01"}, "expires:"),
        ({"kind": "name", "text": "Abdulla Khasanov", "expires": "soon"}, "expires:"),
        ({"kind": "colour", "text": "red"}, "kind:"),
    ]
    for form, field in cases:
        page = trio.client.post("/ui/watches", data={"csrf": csrf, "note": "kept", **form})
        assert page.status_code == 422, (form, page.text[:300])
        error = re.search(r'data-testid="watch-error">([^<]*)<', page.text)
        assert error and unescape(error.group(1)).startswith(field), (form, error)
        assert "Traceback" not in page.text
        text = form["text"].strip()
        if text:
            assert f'value="{text}"' in page.text, form  # what the user typed is kept
        assert 'name="note" value="kept"' in page.text
    assert "data-watch=" not in trio.client.get("/ui/watches").text


def test_more_link_pages_and_withdrawn_alerts_show_on_asking(
    trio: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages_alerts, "PAGE_SIZE", 2)
    watch(trio, "kz", name="Abdulla Khasanov")
    watch(trio, "cn", name="Abdulla Khasanov")  # cn's own alerts never count for kz
    objects = [person("Abdulla Khasanov", n) for n in range(4)]
    for obj in objects:
        publish(trio, "ru", obj, "network")
    # Read once so that the matcher raises the four alerts before the revocation withdraws
    # the fourth (a version revoked before it was matched raises none).
    assert trio.client.get("/api/v1/alerts", headers=trio.headers("kz")).status_code == 200
    publish(
        trio,
        "ru",
        {**objects[3], "modified": "2026-01-01T00:00:30.000Z", "revoked": True},
        "network",
    )
    sign_in(trio, "kz")
    first = trio.client.get("/ui/alerts?unacknowledged=1").text
    assert alert_ids(first) == [1, 2] and header_count(first) == 3
    more = re.search(r'href="(/ui/alerts\?[^"]+)" rel="next">More', first)
    assert more
    second = trio.client.get(unescape(more.group(1))).text
    assert alert_ids(second) == [3] and 'rel="next"' not in second
    withdrawn = trio.client.get("/ui/alerts?withdrawn=1&next=3").text
    assert alert_ids(withdrawn) == [4] and "withdrawn: revoked" in withdrawn
    bad = trio.client.get("/ui/alerts?next=abc")
    assert bad.status_code == 400 and "next:" in unescape(bad.text)
