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
    "acts",
    "policy.py",
    "audit.py",
    "prepare.py",
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


#: The doors: they parse, call an act and render (docs/architecture.md, "Layers").
DOORS = (
    "api",
    "console",
    "cli.py",
    "cli_ingest.py",
    "cli_register.py",
    "cli_screen.py",
    "cli_alerts.py",
    "cli_watch.py",
    "cli_exercise.py",
    "cli_audit.py",
)
DOOR_FILES = ("federation/sync.py",)


def _door_files() -> list[Path]:
    files = [PACKAGE / name for name in DOOR_FILES]
    for entry in DOORS:
        path = PACKAGE / entry
        files.extend(path.rglob("*.py") if path.is_dir() else [path])
    assert all(path.exists() for path in files)
    return files


def _door_breaches(path: Path) -> list[str]:
    """What a door does that only an act may: write audit entries, use the object store's
    repository functions, the console's session store or raw tables of intelligence."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    objects_aliases: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            if node.module == "accord.store.objects" and names - {"ObjectFilter"}:
                found.append(
                    f"imports {sorted(names - {'ObjectFilter'})} from accord.store.objects"
                )
            if node.module == "accord.store.sessions":
                found.append("imports accord.store.sessions")
            if node.module == "accord.store":
                objects_aliases |= {a.asname or a.name for a in node.names if a.name == "objects"}
                if "sessions" in names:
                    found.append("imports accord.store.sessions")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "audit":
                if node.func.attr in ("append", "append_entry", "lock_head"):
                    found.append(f"calls audit.{node.func.attr} (line {node.lineno})")
            if (
                isinstance(owner, ast.Name)
                and owner.id in objects_aliases
                and node.func.attr != "ObjectFilter"
            ):
                found.append(f"calls store.{node.func.attr} (line {node.lineno})")
    return found


def test_doors_leave_audit_and_store_to_the_acts() -> None:
    breaches = {str(p): b for p in _door_files() if (b := _door_breaches(p))}
    assert breaches == {}


def test_the_breach_finder_finds_breaches(tmp_path: Path) -> None:
    door = tmp_path / "door.py"
    door.write_text(
        "from accord import audit\nfrom accord.store import objects as store\n"
        "def f(c):\n    store.tombstone(c)\n    audit.append(c, None, 'x')\n",
        encoding="utf-8",
    )
    assert len(_door_breaches(door)) == 2
