"""The console in a real browser: Playwright driving Debian's Chromium against `accord serve`
with the demo data. Each page is visited by keyboard or click, checked, and photographed into
a temporary folder, or into ``$ACCORD_SCREENSHOT_DIR`` when set: ``make screenshots`` refreshes
the committed ones in docs/screenshots/ (linked from the README). The suite itself never
writes into the source tree.

Chromium comes from Debian (``/usr/bin/chromium``, installed by ``.ci/run``); Playwright never
downloads a browser. Without Chromium these tests fail when ``ACCORD_REQUIRE_BROWSER`` is set
(CI) and are skipped, saying why, otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from accord.demo import stable_id
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
#: Where ``shot`` writes, chosen once per module by the ``_screenshot_folder`` fixture.
SHOTS: dict[str, Path] = {}
ARTICLE = ROOT / "tests" / "data" / "articles" / "sputnik-2016-russia-china-sco.txt"
CHROMIUM = os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.xdist_group("browser")


def _chromium() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found:
        return found
    message = f"no Chromium at {CHROMIUM}: install Debian's package chromium (.ci/run does)"
    if os.environ.get("ACCORD_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def _accord(db: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "from accord.cli import main; main()", "--db", db, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def demo_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A node serving the demo data (as `make run` loads it); yields its URL and tokens."""
    folder = tmp_path_factory.mktemp("browser")
    db = f"sqlite:///{folder / 'demo.db'}"
    printed = _accord(db, "demo", env={"ACCORD_NODE_NAME": "node-hub"})
    tokens = {line.split()[0]: line.split()[3] for line in printed.splitlines() if "acc_" in line}
    _accord(db, "register", "import", "un-xml", str(ROOT / "demo-data/consolidated-2025-08-02.xml"))
    _accord(db, "register", "import", "designations", str(ROOT / "demo-data/designations.csv"))
    port = free_port()
    log = (folder / "serve.log").open("ab")
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from accord.cli import main; main()",
            "--db",
            db,
            "serve",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ACCORD_SYNC_INTERVAL": "0", "ACCORD_NODE_NAME": "node-hub"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(300):
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            server.poll()
            assert server.returncode is None, (folder / "serve.log").read_text()
            import time

            time.sleep(0.1)
        yield url, tokens
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, demo_node: tuple[str, dict[str, str]]) -> Iterator[object]:
    url, _ = demo_node
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=url, viewport={"width": 1280, "height": 800}
    )
    outside: list[str] = []
    context.on(
        "request",
        lambda request: None if request.url.startswith(url) else outside.append(request.url),
    )
    opened = context.new_page()
    yield opened
    context.close()
    assert not outside, f"requests left the node: {outside}"


def sign_in(page: object, tokens: dict[str, str], account: str) -> None:
    page.goto("/ui/inbox")  # type: ignore[attr-defined]
    assert "/ui/sign-in" in page.url  # type: ignore[attr-defined]
    page.get_by_label("Account token").fill(tokens[account])  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(lambda url: urlparse(url).path == "/ui/inbox")  # type: ignore[attr-defined]


@pytest.fixture(scope="module", autouse=True)
def _screenshot_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A temporary folder, or ``$ACCORD_SCREENSHOT_DIR`` (``make screenshots``)."""
    chosen = os.environ.get("ACCORD_SCREENSHOT_DIR")
    SHOTS["folder"] = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    yield
    SHOTS.clear()


def shot(page: object, name: str) -> None:
    folder = SHOTS["folder"]
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)  # type: ignore[attr-defined]


def test_sign_in_inbox_and_object_page(page: object, demo_node: tuple[str, dict[str, str]]) -> None:
    _, tokens = demo_node
    page.goto("/ui/sign-in")  # type: ignore[attr-defined]
    shot(page, "sign-in")
    sign_in(page, tokens, "ru-analyst")
    who = page.get_by_test_id("who").inner_text()  # type: ignore[attr-defined]
    assert "ru-analyst" in who and "ru-nac" in who and "TLP:RED" in who and "ru-cn" in who
    rows = page.locator("[data-testid=inbox] tbody tr")  # type: ignore[attr-defined]
    assert rows.count() >= 5
    shot(page, "inbox")
    page.select_option("select[name=channel]", "ru-cn")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Filter").click()  # type: ignore[attr-defined]
    assert "Recruitment forum (exercise)" in page.inner_text("main")  # type: ignore[attr-defined]
    assert "Foreign fighter" not in page.inner_text("main")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Recruitment forum (exercise)").click()  # type: ignore[attr-defined]
    page.wait_for_selector("[data-testid=graph]")  # type: ignore[attr-defined]
    text = page.inner_text("main")  # type: ignore[attr-defined]
    assert "indicates" in text and "Al-Nusrah Front" in text and "ru-nac" in text
    shot(page, "object")
    page.get_by_role("link", name="raw JSON").click()  # type: ignore[attr-defined]
    assert '"pattern_type": "stix"' in page.content()  # type: ignore[attr-defined]


def test_a_third_party_cannot_open_a_bilateral_object(
    page: object, demo_node: tuple[str, dict[str, str]]
) -> None:
    _, tokens = demo_node
    sign_in(page, tokens, "kz-analyst")
    bilateral = stable_id("indicator", "route-domain")
    answer = page.goto(f"/ui/objects/{bilateral}")  # type: ignore[attr-defined]
    assert answer.status == 404
    assert "Recruitment forum" not in page.content()  # type: ignore[attr-defined]
    answer = page.goto(f"/ui/objects/{bilateral}/json")  # type: ignore[attr-defined]
    assert answer.status == 404
    page.goto("/ui/inbox")  # type: ignore[attr-defined]
    assert "Recruitment forum" not in page.inner_text("main")  # type: ignore[attr-defined]


def test_register_subject_and_divergence(
    page: object, demo_node: tuple[str, dict[str, str]]
) -> None:
    _, tokens = demo_node
    sign_in(page, tokens, "rats-liaison")
    page.get_by_role("link", name="Register", exact=True).click()  # type: ignore[attr-defined]
    page.get_by_label("Name or reference").fill("QDe.137")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.locator("[data-testid=subjects] a").first.click()  # type: ignore[attr-defined]
    page.wait_for_selector("[data-testid=timeline]")  # type: ignore[attr-defined]
    assert "جبهة النصرة" in page.inner_text("main")  # type: ignore[attr-defined]
    assert page.locator("[data-testid=linked] li").count() >= 1  # type: ignore[attr-defined]
    shot(page, "subject")
    page.goto(  # type: ignore[attr-defined]
        "/ui/register/divergence?jurisdictions=UN,RU,CN,US,KZ,KG,TJ,SCO-RATS,CSTO&listed_by=2"
    )
    cells = page.locator("table.matrix td.status-listed")  # type: ignore[attr-defined]
    assert cells.count() > 0
    colour = cells.first.evaluate("c => getComputedStyle(c).backgroundColor")
    assert colour == "rgb(192, 57, 43)"
    shot(page, "divergence")


def test_screening_with_explanations_and_csv(
    page: object, demo_node: tuple[str, dict[str, str]]
) -> None:
    _, tokens = demo_node
    sign_in(page, tokens, "kz-analyst")
    page.goto("/ui/screen")  # type: ignore[attr-defined]
    page.get_by_label("Names, one per line").fill("Джебхат ан-Нусра\n习近平\nAyman al-Zawahiri")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Screen", exact=True).click()  # type: ignore[attr-defined]
    results = page.get_by_test_id("screen-results")  # type: ignore[attr-defined]
    assert "possible match" in results.inner_text()
    assert page.locator(".why .part").count() > 0  # type: ignore[attr-defined]
    shot(page, "screening")
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Screen and download CSV").click()  # type: ignore[attr-defined]
    saved = Path(download.value.path())
    assert saved.read_text(encoding="utf-8").startswith("id,subject_id,name")


def test_ingest_review_and_publish_with_guard_rails(
    page: object, demo_node: tuple[str, dict[str, str]]
) -> None:
    _, tokens = demo_node
    sign_in(page, tokens, "kz-analyst")
    page.goto("/ui/ingest")  # type: ignore[attr-defined]
    page.get_by_label("Article").fill(ARTICLE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    page.get_by_role("button", name="Read the article").click()  # type: ignore[attr-defined]
    page.wait_for_selector("[data-testid=article-text] mark.k-persons")  # type: ignore[attr-defined]
    shot(page, "ingest-review")
    page.select_option("select[name=audience]", "network")  # type: ignore[attr-defined]
    page.select_option("select[name=tlp]", "red")  # type: ignore[attr-defined]
    guard = page.locator("[data-guard]")  # type: ignore[attr-defined]
    guard.filter(has_text="cannot go to the whole network").wait_for()
    button = page.get_by_role("button", name="Publish the report")  # type: ignore[attr-defined]
    assert button.is_disabled()
    page.select_option("select[name=audience]", "sco-joint")  # type: ignore[attr-defined]
    guard.filter(has_text="members of channel sco-joint").wait_for()
    assert re.search(r"ru-nac.*cn-mps|cn-mps.*ru-nac", guard.inner_text())
    first_person = page.locator("[data-item=p0] input[type=checkbox]")  # type: ignore[attr-defined]
    first_person.uncheck()
    page.get_by_label("name of added item 1").fill("Vladimir Putin")  # type: ignore[attr-defined]
    button.click()
    page.get_by_test_id("report").wait_for()  # type: ignore[attr-defined]
    assert "published" in page.get_by_test_id("report").inner_text()  # type: ignore[attr-defined]
    shot(page, "ingest-published")


def test_publish_page_and_narrow_window(
    page: object, demo_node: tuple[str, dict[str, str]]
) -> None:
    _, tokens = demo_node
    sign_in(page, tokens, "cn-analyst")
    page.goto("/ui/publish")  # type: ignore[attr-defined]
    page.select_option("select[name=audience]", "ru-cn")  # type: ignore[attr-defined]
    page.locator("[data-guard]").filter(has_text="members of channel ru-cn").wait_for()  # type: ignore[attr-defined]
    shot(page, "publish")
    page.set_viewport_size({"width": 390, "height": 800})  # type: ignore[attr-defined]
    page.goto("/ui/inbox")  # type: ignore[attr-defined]
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 400, f"the inbox is {width}px wide on a 390px window"
    shot(page, "inbox-narrow")
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    focused = page.evaluate("document.activeElement.textContent")  # type: ignore[attr-defined]
    assert "Skip to content" in focused


def test_the_inbox_is_usable_from_the_keyboard(
    page: object, demo_node: tuple[str, dict[str, str]]
) -> None:
    """Tab from the top of the page to the first object of the inbox and open it with Enter."""
    _, tokens = demo_node
    sign_in(page, tokens, "cn-analyst")
    first = page.locator("[data-testid=inbox] tbody a").first  # type: ignore[attr-defined]
    target = first.get_attribute("href")
    for _ in range(60):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        focused = page.evaluate("document.activeElement.getAttribute('href')")  # type: ignore[attr-defined]
        if focused == target:
            break
    else:
        raise AssertionError("the first inbox row cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")  # type: ignore[attr-defined]
    assert outline != "none", "the focused link shows where the focus is"
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(lambda url: urlparse(url).path == target)  # type: ignore[attr-defined]
    assert page.get_by_test_id("provenance").is_visible()  # type: ignore[attr-defined]


def test_the_session_cookie_is_no_token_and_sign_out_ends_it(
    page: object, demo_node: tuple[str, dict[str, str]]
) -> None:
    """A real browser signs in (its form carries the node's Origin), holds a random session
    id, signs out, and a replayed copy of the old cookie no longer opens a page."""
    _, tokens = demo_node
    sign_in(page, tokens, "kz-analyst")
    context = page.context  # type: ignore[attr-defined]
    (session,) = [c for c in context.cookies() if c["name"] == "accord_session"]
    assert session["value"] != tokens["kz-analyst"] and session["httpOnly"]
    assert session["sameSite"] == "Strict" and session["path"] == "/ui"
    page.get_by_role("button", name="Sign out").click()  # type: ignore[attr-defined]
    page.wait_for_url(lambda url: urlparse(url).path == "/ui/sign-in")  # type: ignore[attr-defined]
    context.add_cookies([session])
    page.goto("/ui/inbox")  # type: ignore[attr-defined]
    assert urlparse(page.url).path == "/ui/sign-in"  # type: ignore[attr-defined]
