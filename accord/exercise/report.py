"""Rendering an after-action report: JSON for tools, HTML (a timeline plot embedded as PNG)
and PDF (matplotlib's PdfPages), all from one body (accord.acts.exercise_report.report).
The plot draws exactly :func:`timeline_points`, so what it shows is what was recorded."""

from __future__ import annotations

import base64
import io
from typing import Any

import orjson
from jinja2 import Environment, select_autoescape

COLOURS = {"sent": "tab:blue", "met": "tab:green", "missed": "tab:red"}


def timeline_points(body: dict[str, Any]) -> list[tuple[float, str, str]]:
    """(scenario minutes, label, status) of every inject sent and expectation resolved."""
    return [
        (
            event["scenario_seconds"] / 60,
            f"{event['item']}" + (f" ({event['party']})" if event["party"] else ""),
            event["status"],
        )
        for event in body["timeline"]
    ]


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, imported on first use: it costs a second or
    more of start-up, and every CLI command and server process imports this module."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _figure(body: dict[str, Any]) -> Any:
    pyplot = _pyplot()
    points = timeline_points(body)
    figure, axes = pyplot.subplots(figsize=(9, 1.2 + 0.4 * max(1, len(points))))
    for row, (minutes, label, status) in enumerate(points):
        axes.scatter([minutes], [row], color=COLOURS.get(status, "grey"), zorder=3)
        axes.annotate(
            f"{label}: {status}",
            (minutes, row),
            xytext=(6, -3),
            textcoords="offset points",
            fontsize=8,
        )
    for expectation in body["expectations"]:
        if expectation["deadline_seconds"] is not None:
            axes.axvline(expectation["deadline_seconds"] / 60, color="lightgrey", lw=0.8)
    axes.set_yticks([])
    axes.set_xlabel("scenario time (minutes)")
    axes.set_title(f"{body['title']} - timeline (EXERCISE)")
    figure.tight_layout()
    return figure


def _png(body: dict[str, Any]) -> str:
    figure = _figure(body)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    _pyplot().close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EXERCISE report: {{ b.name }}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 6px}.banner{background:#b00;color:#fff;padding:4px}</style>
</head><body><p class="banner">EXERCISE - not real intelligence</p>
<h1>{{ b.title }} ({{ b.name }})</h1>
<p>Scenario {{ b.scenario }}, {{ b.state }}, speed {{ b.speed }}x, started {{ b.start }}.</p>
<h2>Objectives</h2><ul>{% for o in b.objectives %}<li>{{ o }}</li>{% endfor %}</ul>
<h2>Timeline</h2><img alt="timeline" src="data:image/png;base64,{{ png }}">
<table id="timeline">
<tr><th>scenario s</th><th>event</th><th>party</th><th>status</th><th>at</th></tr>
{% for e in b.timeline %}<tr><td>{{ e.scenario_seconds }}</td><td>{{ e.kind }} {{ e.item }}</td>
<td>{{ e.party or "" }}</td><td>{{ e.status }}</td><td>{{ e.at }}</td></tr>{% endfor %}</table>
<h2>Scores</h2><table id="scores">
<tr><th>party</th><th>points</th><th>of</th><th>met</th><th>missed</th></tr>
{% for party, s in b.scores.items() %}<tr><td>{{ party }}</td><td>{{ s.points }}</td>
<td>{{ s.max_points }}</td><td>{{ s.met }}</td><td>{{ s.missed }}</td></tr>{% endfor %}</table>
<h2>Expectations</h2><table id="expectations"><tr><th>expectation</th><th>party</th><th>status</th>
<th>points</th><th>response s</th><th>target s</th></tr>
{% for e in b.expectations %}<tr><td>{{ e.id }}</td><td>{{ e.party }}</td><td>{{ e.status }}</td>
<td>{{ e.points }}</td><td>{{ "" if e.response_seconds is none else e.response_seconds }}</td>
<td>{{ e.target_seconds }}</td></tr>{% endfor %}</table>
<h2>Missed</h2><ul>{% for e in b.missed %}<li>{{ e.id }} ({{ e.party }})</li>
{% else %}<li>none</li>{% endfor %}</ul>
<h2>Shared with {{ b.shared_with | join(", ") }}</h2><table id="shared">
<tr><th>at</th><th>by</th><th>type</th><th>name</th></tr>
{% for s in b.shared %}<tr><td>{{ s.at }}</td><td>{{ s.by }}</td><td>{{ s.type }}</td>
<td>{{ s.name or "" }}</td></tr>{% endfor %}</table>
<h2>Lessons learned</h2><ul>{% for l in b.lessons %}
<li>{{ l.party }} ({{ l.at }}): {{ l.text }}</li>
{% else %}<li>none entered</li>{% endfor %}</ul></body></html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True))


def render(body: dict[str, Any], format: str) -> bytes:
    if format == "json":
        return orjson.dumps(body, option=orjson.OPT_INDENT_2)
    if format == "html":
        return _ENV.from_string(TEMPLATE).render(b=body, png=_png(body)).encode()
    if format == "pdf":
        return _pdf(body)
    raise ValueError(f"{format!r}: expected html, pdf or json")


def _pdf(body: dict[str, Any]) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages

    pyplot = _pyplot()
    buffer = io.BytesIO()
    with PdfPages(buffer) as pages:
        figure = _figure(body)
        pages.savefig(figure)
        pyplot.close(figure)
        lines = [f"EXERCISE report: {body['title']} ({body['name']})", ""]
        lines += [f"Objective: {o}" for o in body["objectives"]]
        lines += ["", "Scores:"]
        lines += [
            f"  {party}: {s['points']}/{s['max_points']} (met {s['met']}, missed {s['missed']})"
            for party, s in body["scores"].items()
        ]
        lines += ["", "Expectations:"]
        lines += [
            f"  {e['id']} {e['party']}: {e['status']}, {e['points']} points, response "
            f"{e['response_seconds']}s of {e['target_seconds']}s"
            for e in body["expectations"]
        ]
        lines += ["", "Shared:"] + [f"  {s['at']} {s['by']} {s['type']}" for s in body["shared"]]
        lines += ["", "Lessons:"] + [f"  {x['party']}: {x['text']}" for x in body["lessons"]]
        text = pyplot.figure(figsize=(8.3, 11.7))
        text.text(0.05, 0.97, "\n".join(lines[:70]), va="top", family="monospace", fontsize=7)
        pages.savefig(text)
        pyplot.close(text)
    return buffer.getvalue()
