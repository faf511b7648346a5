"""Tests that catch drift between the code and its documents (STYLE.md rule 10)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from typer.main import get_command

from accord.api import create_app
from accord.cli import app as cli_app
from accord.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [f.name for f in fields(Settings) if f"`ACCORD_{f.name.upper()}`" not in text]
    assert missing == []


def test_openapi_document_matches_the_committed_copy() -> None:
    """Regenerate with `make openapi` when a route changes on purpose."""
    current = create_app(Settings(database_url="sqlite:///:memory:")).openapi()
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert current == committed


def test_cli_commands_of_the_foundation_are_stable_and_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = get_command(cli_app)
    names = set(command.commands)  # type: ignore[attr-defined]
    assert {"init", "serve", "party", "account", "channel", "publish", "audit", "demo"} <= names
    for phrase in (
        "accord init",
        "accord serve",
        "accord party add",
        "accord account add",
        "accord channel add",
        "accord publish",
        "accord audit verify",
    ):
        assert phrase in readme


def test_api_docs_are_served_without_any_outside_request() -> None:
    from fastapi.testclient import TestClient

    client = TestClient(create_app(Settings(database_url="sqlite:///:memory:")))
    page = client.get("/docs")
    assert page.status_code == 200
    assert "http://" not in page.text.replace("http://127.0.0.1", "")
    assert "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/static/swagger/{asset}").status_code == 200
    assert client.get("/").json()["docs"] == "/docs"
