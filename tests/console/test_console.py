"""The analyst console through HTTP (SQLite and PostgreSQL): sign-in, the policy on every
page, publishing with guard rails, register, screening and ingestion pages."""

from __future__ import annotations

import re
import uuid
from html import unescape
from pathlib import Path

import orjson
import pytest

from accord.register.importer import import_list, read_list
from tests.conftest import Node

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "tests" / "data" / "articles" / "sputnik-2016-russia-china-sco.txt"


#: The test client's own origin: every POST under /ui must come from it.
ORIGIN = "http://testserver"


def sign_in(node: Node, account: str) -> str:
    """Sign ``account`` in on the node's client (its forms sent from the node's own origin,
    as a browser does); returns the page's form token."""
    node.client.cookies.clear()
    node.client.headers["Origin"] = ORIGIN
    answer = node.client.post("/ui/sign-in", data={"token": node.tokens[account]})
    assert answer.status_code == 200, answer.text
    return csrf_of(answer.text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "every signed-in page carries a form token"
    return found.group(1)


def indicator(name: str, **extra: object) -> dict[str, object]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-05T10:00:00.000Z",
        "modified": "2026-01-05T10:00:00.000Z",
        "name": name,
        "pattern": "[domain-name:value = 'x.example']",
        "pattern_type": "stix",
        "valid_from": "2026-01-05T10:00:00Z",
        **extra,
    }


def publish(node: Node, account: str, audience: str, tlp: str, *objects: object) -> None:
    answer = node.client.post(
        f"/api/v1/objects?audience={audience}&tlp={tlp}",
        content=orjson.dumps(
            {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}
        ),
        headers={**node.headers(account), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text


def test_sign_in_is_needed_and_every_page_names_account_party_and_markings(trio: Node) -> None:
    client = trio.client
    for path in ("/ui/inbox", "/ui/register", "/ui/screen", "/ui/ingest", "/ui/publish"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/ui/sign-in?next=")
    wrong = client.post(
        "/ui/sign-in", data={"token": "acc_not-a-token"}, headers={"Origin": ORIGIN}
    )
    assert wrong.status_code == 401 and "not valid" in wrong.text
    sign_in(trio, "kz")
    for path in (
        "/ui/inbox",
        "/ui/register",
        "/ui/screen",
        "/ui/ingest",
        "/ui/publish",
        "/ui/register/divergence",
    ):
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[:500])
        assert 'data-testid="who"' in page.text and ">kz<" in page.text and "kz-knb" in page.text
        assert "TLP:RED" in page.text and "kz-ru" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert not re.search(r'(src|href)="(https?:)?//', page.text), "nothing from elsewhere"


def test_a_third_party_cannot_reach_a_bilateral_object_by_url(trio: Node) -> None:
    secret = indicator("Bilateral lead")
    publish(trio, "kz", "kz-ru", "amber", secret)
    sign_in(trio, "ru")
    assert "Bilateral lead" in trio.client.get("/ui/inbox").text
    assert trio.client.get(f"/ui/objects/{secret['id']}").status_code == 200
    sign_in(trio, "cn")
    assert "Bilateral lead" not in trio.client.get("/ui/inbox").text
    for suffix in ("", "/json", "/share"):
        page = trio.client.get(f"/ui/objects/{secret['id']}{suffix}")
        assert page.status_code == 404, suffix
        assert "Bilateral lead" not in page.text


def test_inbox_filters_and_pages_newest_first(trio: Node) -> None:
    publish(trio, "kz", "network", "green", *[indicator(f"Lead {n:02d}") for n in range(55)])
    publish(trio, "ru", "kz-ru", "amber", indicator("From Russia"))
    publish(trio, "ru", "own", "red", indicator("Russian eyes only"))
    publish(trio, "ru", "network", "clear", indicator("Russian public"))
    sign_in(trio, "kz")
    first = trio.client.get("/ui/inbox").text
    names = re.findall(r'/ui/objects/[^"]+">([^<]+)<', first)
    assert names[:2] == ["Russian public", "From Russia"] and len(names) == 50
    older = re.search(r'href="(/ui/inbox\?[^"]+)" rel="next"', first)
    assert older
    second = trio.client.get(older.group(1).replace("&amp;", "&")).text
    assert len(re.findall(r'/ui/objects/[^"]+">Lead', second)) == 7
    by_party = trio.client.get("/ui/inbox?party=ru-nac").text
    assert "From Russia" in by_party and "Lead 00" not in by_party
    assert "Russian public" in by_party and "Russian eyes only" not in by_party
    by_channel = trio.client.get("/ui/inbox?channel=kz-ru").text
    assert "From Russia" in by_channel and "Lead 00" not in by_channel
    assert "From Russia" not in trio.client.get("/ui/inbox?type=report").text
    assert "Nothing matches" in trio.client.get("/ui/inbox?until=2000-01-01").text
    assert "From Russia" in trio.client.get("/ui/inbox?since=2000-01-01").text
    bad = trio.client.get("/ui/inbox?since=yesterday")
    assert bad.status_code == 400 and "since 'yesterday'" in unescape(bad.text)


def test_object_page_shows_properties_graph_versions_provenance_and_admin_trail(
    trio: Node,
) -> None:
    lead = indicator(
        "Route lead",
        description="Seen twice.",
        external_references=[
            {"source_name": "trap", "url": "javascript:alert(1)"},
            {"source_name": "report", "url": "https://example.org/report"},
        ],
    )
    group = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": f"intrusion-set--{uuid.uuid4()}",
        "created": "2026-01-05T10:00:00.000Z",
        "modified": "2026-01-05T10:00:00.000Z",
        "name": "Test Group",
    }
    relation = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--{uuid.uuid4()}",
        "created": "2026-01-05T10:00:00.000Z",
        "modified": "2026-01-05T10:00:00.000Z",
        "relationship_type": "indicates",
        "source_ref": lead["id"],
        "target_ref": group["id"],
    }
    publish(trio, "cn", "network", "green", lead, group, relation)
    publish(trio, "cn", "network", "green", {**lead, "modified": "2026-02-01T00:00:00.000Z"})
    sign_in(trio, "kz")
    page = trio.client.get(f"/ui/objects/{lead['id']}").text
    assert "Seen twice." in page and "Route lead" in page
    assert 'href="https://example.org/report"' in page and 'href="javascript:' not in page
    assert 'data-testid="graph"' in page and "Test Group" in page and "indicates" in page
    assert "2026-01-05T10:00:00.000Z" in page and "2026-02-01T00:00:00.000Z" in page
    assert "cn-mps" in page and 'data-testid="audit"' not in page
    old = trio.client.get(f"/ui/objects/{lead['id']}?version=2026-01-05T10:00:00.000Z").text
    assert "an earlier version" in old
    raw = trio.client.get(f"/ui/objects/{lead['id']}/json")
    assert raw.json()["modified"] == "2026-02-01T00:00:00.000Z"
    group_page = trio.client.get(f"/ui/objects/{group['id']}").text
    assert "Route lead" in group_page and "← from" in group_page
    sign_in(trio, "cn-admin")
    # The trail shows the entries committed before the page: this read's own entry is
    # committed with the answer (audit group commit), so a second look shows the first.
    trio.client.get(f"/ui/objects/{lead['id']}")
    trail = trio.client.get(f"/ui/objects/{lead['id']}").text
    assert 'data-testid="audit"' in trail and "read.versions" in trail


def test_publish_with_guard_rails_refuses_red_to_the_network_and_stores_nothing(
    trio: Node,
) -> None:
    token = sign_in(trio, "kz")
    guard = trio.client.get("/ui/sharing?audience=network&tlp=red").json()
    assert guard["ok"] is False and "TLP:RED" in guard["message"]
    plain = trio.client.get("/ui/sharing?audience=kz-ru&tlp=amber").json()
    assert plain["ok"] and "kz-knb" in plain["message"] and "ru-nac" in plain["message"]
    assert "cn-mps" not in plain["message"]
    lead = indicator("Red lead")
    text = orjson.dumps(lead).decode()
    refused = trio.client.post(
        "/ui/publish", data={"csrf": token, "audience": "network", "tlp": "red", "text": text}
    )
    assert refused.status_code == 422 and "cannot go to the whole network" in unescape(refused.text)
    assert trio.client.get(f"/ui/objects/{lead['id']}").status_code == 404
    stale = trio.client.post(
        "/ui/publish", data={"csrf": "0" * 32, "audience": "own", "tlp": "red", "text": text}
    )
    assert stale.status_code == 403
    done = trio.client.post(
        "/ui/publish", data={"csrf": token, "audience": "kz-ru", "tlp": "red", "text": text}
    )
    assert done.status_code == 200 and "1 published" in done.text
    sign_in(trio, "kz-reader")
    assert trio.client.get("/ui/sharing?audience=own&tlp=red").json()["ok"] is False


def test_share_own_object_as_new_version_or_copy_and_never_anothers(trio: Node) -> None:
    lead = indicator("Own lead")
    publish(trio, "kz", "own", "red", lead)
    token = sign_in(trio, "kz")
    again = trio.client.post(
        f"/ui/objects/{lead['id']}/share", data={"csrf": token, "audience": "own", "tlp": "amber"}
    )
    assert again.status_code == 200 and "1 published" in again.text
    copy = trio.client.post(
        f"/ui/objects/{lead['id']}/share",
        data={"csrf": token, "audience": "kz-ru", "tlp": "amber"},
    )
    assert copy.status_code == 200 and "2 published" in copy.text
    odd = trio.client.post(
        f"/ui/objects/{lead['id']}/share", data={"csrf": token, "audience": "own", "tlp": "pink"}
    )
    assert odd.status_code == 400 and "pink" in odd.text
    sign_in(trio, "ru")
    inbox = trio.client.get("/ui/inbox").text
    assert "Own lead" in inbox
    assert trio.client.get(f"/ui/objects/{lead['id']}").status_code == 404
    publish(trio, "ru", "kz-ru", "green", theirs := indicator("Russian lead"))
    token = sign_in(trio, "kz")
    refused = trio.client.get(f"/ui/objects/{theirs['id']}/share")
    assert refused.status_code == 403 and "originator control" in unescape(refused.text)


@pytest.fixture
def registered(trio: Node) -> Node:
    with trio.engine.begin() as connection:
        import_list(connection, read_list("un-xml", ROOT / "demo-data/consolidated-2025-08-02.xml"))
        import_list(connection, read_list("designations", ROOT / "demo-data/designations.csv"))
    return trio


def test_register_subject_timeline_linked_intelligence_and_divergence(registered: Node) -> None:
    sign_in(registered, "kz")
    found = registered.client.get("/ui/register?q=QDe.137").text
    subject = re.search(r"/ui/register/subjects/(\d+)", found)
    assert subject
    publish(
        registered,
        "ru",
        "network",
        "green",
        {
            "type": "intrusion-set",
            "spec_version": "2.1",
            "id": f"intrusion-set--{uuid.uuid4()}",
            "created": "2026-01-05T10:00:00.000Z",
            "modified": "2026-01-05T10:00:00.000Z",
            "name": "al-nusra front",
        },
    )
    page = registered.client.get(f"/ui/register/subjects/{subject.group(1)}").text
    assert 'data-testid="timeline"' in page and "QDe.137" in page
    assert 'data-testid="names-Cyrillic"' in page or 'data-testid="names-Arabic"' in page
    assert 'data-testid="linked"' in page and "al-nusra front" in page
    matrix = registered.client.get("/ui/register/divergence?jurisdictions=UN,RU&as_of=2025-01-01")
    assert matrix.status_code == 200 and 'class="status-listed"' in matrix.text
    assert "as of 2025-01-01" in matrix.text
    assert registered.client.get("/ui/register/divergence?as_of=soon").status_code == 400
    everything = registered.client.get("/ui/register/divergence?jurisdictions=UN,RU,US").text
    shared = registered.client.get("/ui/register/divergence?jurisdictions=UN,RU,US&listed_by=2")
    count = re.compile(r"(\d+) subjects on which")
    assert int(count.findall(shared.text)[0]) < int(count.findall(everything)[0])


def test_screening_page_explains_and_downloads_csv(registered: Node) -> None:
    token = sign_in(registered, "kz")
    page = registered.client.post(
        "/ui/screen", data={"csrf": token, "names": "Джебхат ан-Нусра\n\n", "threshold": "0.7"}
    )
    assert page.status_code == 200 and "possible match" in page.text and "how-" in page.text
    manifest = 'id,name\n1,Jabhat al-Nusra\n2,"broken\n'
    csv_out = registered.client.post(
        "/ui/screen",
        data={"csrf": token, "format": "csv", "threshold": "0.7"},
        files={"upload": ("manifest.csv", manifest.encode(), "text/csv")},
    )
    assert csv_out.status_code == 200 and csv_out.headers["content-type"].startswith("text/csv")
    lines = csv_out.text.splitlines()
    assert lines[0].startswith("id,subject_id") and any("QDe.137" in line for line in lines)
    empty = registered.client.post("/ui/screen", data={"csrf": token, "names": "  "})
    assert empty.status_code == 400 and "at least one name" in unescape(empty.text)


def test_screening_page_shows_translations_calibration_and_caps(registered: Node) -> None:
    token = sign_in(registered, "kz")
    page = registered.client.post(
        "/ui/screen",
        data={
            "csrf": token,
            "names": "Исламского движения Узбекистана\nHani Kassab",
            "threshold": "0.7",
        },
    )
    text = unescape(page.text)
    assert page.status_code == 200
    assert "translated:" in text and "движение → movement" in text and "CLDR territory UZ" in text
    assert "right at this score" in text
    assert "held below the threshold" in text


def test_ingest_review_corrects_and_publishes_and_refuses_red_to_network(trio: Node) -> None:
    token = sign_in(trio, "kz")
    text = ARTICLE.read_text(encoding="utf-8")
    review = trio.client.post(
        "/ui/ingest",
        data={"csrf": token, "text": text, "name": "sputnik"},
        files={"upload": ("", b"", "text/plain")},
    )
    assert review.status_code == 200, review.text[:1000]
    assert '<mark class="k-persons' in review.text and "Andrey Karlov" in review.text
    state = re.search(r'name="state" value="([^"]+)"', review.text)
    assert state
    article = orjson.loads(unescape(state.group(1)))
    form = {
        "csrf": token,
        "state": orjson.dumps(article).decode(),
        "audience": "network",
        "tlp": "red",
    }
    for letter, key in (
        ("p", "persons"),
        ("o", "organisations"),
        ("l", "locations"),
        ("i", "incidents"),
    ):
        for n, _ in enumerate(article[key]):
            form[f"keep_{letter}{n}"] = "on"
            form[f"name_{letter}{n}"] = (
                article[key][n]["type"] if letter == "i" else article[key][n]["name"]
            )
    refused = trio.client.post("/ui/ingest/publish", data=form)
    assert refused.status_code == 422 and "cannot go to the whole network" in unescape(refused.text)
    karlov = next(n for n, p in enumerate(article["persons"]) if p["name"] == "Andrey Karlov")
    form.update({"tlp": "amber", f"name_p{karlov}": "Andrei Karlov"})
    del form["keep_o0"]
    form.update({"add_kind_0": "person", "add_name_0": "Vladimir Putin"})
    done = trio.client.post("/ui/ingest/publish", data=form)
    assert done.status_code == 200, done.text[:2000]
    assert "published" in done.text and "Andrei Karlov" in done.text
    sign_in(trio, "ru")
    inbox = trio.client.get("/ui/inbox?type=identity").text
    assert "Andrei Karlov" in inbox and "Vladimir Putin" in inbox
    assert (
        article["organisations"][0]["name"] not in trio.client.get("/ui/inbox?type=identity").text
    )
