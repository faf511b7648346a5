"""The layers of ARCHITECTURE.md and STYLE.md, enforced."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "accord"
DOMAIN = (
    "stix",
    "store",
    "register",
    "screening",
    "ingest",
    "policy.py",
    "audit.py",
    "publish.py",
    "read.py",
    "admin.py",
    "config.py",
    "errors.py",
)
WEB = ("fastapi", "starlette", "uvicorn")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _domain_files() -> list[Path]:
    files = []
    for entry in DOMAIN:
        path = PACKAGE / entry
        files.extend(path.rglob("*.py") if path.is_dir() else [path] if path.exists() else [])
    return files


def test_domain_code_never_imports_the_web_framework() -> None:
    offenders = [str(p) for p in _domain_files() if _imports(p) & set(WEB)]
    assert offenders == []


def test_modules_stay_readable() -> None:
    long = [
        (str(p), n) for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 600
    ]
    assert long == []


def test_no_module_level_app_or_engine() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                assert name not in ("create_app", "make_engine", "create_engine", "FastAPI"), path
