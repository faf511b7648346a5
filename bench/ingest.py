"""Ingestion quality and speed (``make bench-ingest``).

Quality: the labelled excerpts of public reports in tests/data/ingest-labelled.json, read
with the demo register (UN list of 2025-08-02 and designations.csv) as the linker's
gazetteer; precision, recall and F1 for persons, organisations and places, and for the
roles of incidents (perpetrators, victims or targets, places), pooled over the articles. A
predicted name matches a labelled one when, once lower-cased and stripped of "the", one
contains the other or the screening scorer puts them at 0.85 or more.

Speed: articles of about 5 KB (the example article and excerpts, shuffled), read one after
another on one core, median of three rounds; cold start: a new process running
``accord ingest`` on the example article with that register, to the printed result.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from accord.ingest.extract import register_linker
from accord.ingest.pipeline import ingest
from accord.register.importer import import_list, read_list
from accord.screening.index import ScreeningIndex
from accord.screening.score import compare
from accord.store.engine import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "ingest-labelled.json"
ARTICLE = ROOT / "tests" / "data" / "articles" / "sputnik-2016-russia-china-sco.txt"


def _plain(name: str) -> str:
    name = re.sub(r"[^\w\s]", " ", name.lower())
    return " ".join(w for w in name.split() if w != "the")


def same(predicted: list[str], gold: str) -> bool:
    target = _plain(gold)
    for name in predicted:
        mine = _plain(name)
        if not mine or not target:
            continue
        if (
            mine == target
            or f" {mine} " in f" {target} "
            or f" {target} " in f" {mine} "
            or compare(name, gold).score >= 0.85
        ):
            return True
    return False


def predictions(result: dict[str, Any], *, background: bool) -> dict[str, list[list[str]]]:
    """The names of each kind the reader gave, each with its aliases; the roles of its
    incidents (those it marks as background too when ``background``)."""

    def names(item: dict[str, Any]) -> list[str]:
        return [item["name"], *item.get("aliases", [])]

    found: dict[str, list[list[str]]] = {
        "persons": [names(p) for p in result["persons"]],
        "organisations": [names(o) for o in result["organisations"]],
        "locations": [names(p) for p in result["locations"]],
        "perpetrators": [],
        "victims": [],
        "places": [],
    }
    known = {
        item["name"]: names(item)
        for kind in ("persons", "organisations", "locations")
        for item in result[kind]
    }
    for incident in result["incidents"]:
        if incident.get("background") and not background:
            continue
        for role in ("perpetrators", "victims", "places"):
            for party in incident[role]:
                written = known.get(party["name"], [party["name"]])
                if written not in found[role]:
                    found[role].append(written)
    return found


def score(predicted: list[list[str]], gold: list[str]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of one article for one kind."""
    tp = sum(1 for g in gold if any(same(p, g) for p in predicted))
    fp = sum(1 for p in predicted if not any(same(p, g) for g in gold))
    return tp, fp, len(gold) - tp


def database(linker_db: Path) -> str:
    url = f"sqlite:///{linker_db}"
    engine = make_engine(url, sqlite_synchronous="OFF")
    migrate(engine)
    with engine.begin() as connection:
        import_list(
            connection, read_list("un-xml", ROOT / "demo-data" / "consolidated-2025-08-02.xml")
        )
        import_list(connection, read_list("designations", ROOT / "demo-data" / "designations.csv"))
    return url


def demo_linker(url: str | None = None) -> Any:
    """The register linker over the demo register (``url``, or a fresh SQLite file)."""
    url = url or database(Path(tempfile.mkdtemp()) / "register.db")
    index = ScreeningIndex()
    with make_engine(url).connect() as connection:
        index.refresh(connection)
    return register_linker(index)


def main() -> None:
    url = database(Path(tempfile.mkdtemp()) / "register.db")
    linker = demo_linker(url)
    articles = json.loads(LABELLED.read_text(encoding="utf-8"))["articles"]
    totals: dict[str, list[int]] = {}
    for article in articles:
        result = ingest(article["text"], article["url"], linker)
        # This set counts background incidents' roles too (as it did when it was made).
        predicted = predictions(result, background=True)
        for kind, found in predicted.items():
            tp, fp, fn = score(found, article[kind])
            total = totals.setdefault(kind, [0, 0, 0])
            total[0] += tp
            total[1] += fp
            total[2] += fn
    print(f"ingestion quality: {len(articles)} labelled excerpts of public reports\n")
    print("| kind | precision | recall | F1 | labelled |\n|---|---|---|---|---|")
    for kind, (tp, fp, fn) in totals.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"| {kind} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {tp + fn} |")
    entities = [
        sum(totals[k][i] for k in ("persons", "organisations", "locations")) for i in range(3)
    ]
    tp, fp, fn = entities
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(
        f"| entities (pooled) | {precision:.3f} | {recall:.3f} | "
        f"{2 * precision * recall / (precision + recall):.3f} | {tp + fn} |"
    )
    speed(linker, articles)
    cold(url)


def speed(linker: Any, articles: list[dict[str, Any]], count: int = 120) -> None:
    """Articles of about 5 KB read one after another on one core: the reader with its models,
    the rules alone, and the English model's entity recogniser alone on the same kept lines
    (the floor under the reader's time), alternating, median of three rounds each. Rates per
    second of wall time, and per second of the process's CPU time (which other work on a
    shared machine moves less)."""
    from accord.ingest.clean import clean
    from accord.ingest.nlp import english_entities
    from accord.ingest.source import Document
    from bench.ingest_unseen import articles as unseen

    rng = random.Random(7)
    pieces = [a["text"] for a in unseen() if a["language"] == "en"]
    pieces += [a["text"] for a in articles] + [ARTICLE.read_text(encoding="utf-8")]
    texts = []
    for _ in range(count):
        body = ""
        while len(body.encode()) < 5000:
            body += rng.choice(pieces) + "\n\n"
        texts.append(body[:5200])
    documents = []
    for text in texts:
        document = Document(text)
        clean(document)
        documents.append(document)
    ingest(texts[0], "warm-up", linker)

    def models() -> None:
        for n, text in enumerate(texts):
            ingest(text, f"a{n}", linker)

    def rules() -> None:
        for n, text in enumerate(texts):
            ingest(text, f"a{n}", linker, models=False)

    def ner() -> None:
        for document in documents:
            english_entities(document.text, document.kept)

    systems: dict[str, Callable[[], None]] = {"models": models, "rules": rules, "ner": ner}
    wall: dict[str, list[float]] = {k: [] for k in systems}
    cpu: dict[str, list[float]] = {k: [] for k in systems}
    for _ in range(3):
        for name, run in systems.items():
            start, used = time.perf_counter(), time.process_time()
            run()
            wall[name].append(count / (time.perf_counter() - start))
            cpu[name].append(count / (time.process_time() - used))
    size = statistics.mean(len(t.encode()) for t in texts)
    print(
        "\n| articles | mean size | with the models: articles/s (per CPU s) "
        "| rules alone (per CPU s) | the English entity recogniser alone (per CPU s) |"
        "\n|---|---|---|---|---|"
    )
    cells = [
        f"{statistics.median(wall[k]):,.1f} ({statistics.median(cpu[k]):,.1f})" for k in systems
    ]
    print(f"| {count} | {size / 1024:.1f} KB | " + " | ".join(cells) + " |")


def cold(url: str) -> None:
    """A new process running ``accord ingest`` on one article, to the printed result, and
    the memory of a process that has read one article in each language."""
    from tests.ingest.test_languages import CHINESE, RUSSIAN

    folder = Path(tempfile.mkdtemp())
    samples = {"en": ARTICLE, "ru": folder / "ru.txt", "zh": folder / "zh.txt"}
    samples["ru"].write_text(RUSSIAN, encoding="utf-8")
    samples["zh"].write_text(CHINESE, encoding="utf-8")
    accord = str(Path(sys.executable).parent / "accord")
    print("\n| article | cold start, median of 3 (s) |\n|---|---|")
    for language, path in samples.items():
        times = []
        for _ in range(3):
            start = time.perf_counter()
            done = subprocess.run(
                [accord, "--db", url, "ingest", str(path)], capture_output=True, check=False
            )
            times.append(time.perf_counter() - start)
            assert done.returncode == 0, done.stderr.decode()[-500:]
        print(f"| {language} | {statistics.median(times):.2f} |")
    script = (
        "import resource, sys\n"
        "from accord.ingest.pipeline import ingest\n"
        "for p in sys.argv[1:]: ingest(open(p, 'rb').read(), p)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    memory = subprocess.run(
        [sys.executable, "-c", script, *map(str, samples.values())],
        capture_output=True,
        text=True,
        check=True,
    )
    print(
        f"\nmemory of a process that read one article in each language: {memory.stdout.strip()} MiB"
    )


if __name__ == "__main__":
    main()
