"""
The house's floors, checked from the source: a module imports only from its
own floor or below, the ground floor knows no domain, and PynamoDB stays in
the storage layer. A new upward import fails here, naming the line.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top (conventions.md, "The house"); packages on one floor may
# import each other.
FLOORS = [
    {"core"},
    {"accounts"},
    {"audit"},
    {"comments"},
    {"exchange_rates", "accounting", "treasury"},
    {"vendors"},
    {"purchasing"},
    {"invoicing"},
    {"einvoicing"},
    {"payments"},
    {"dashboard", "search", "records", "reports"},
    {"project"},
]
FLOOR_OF = {package: level for level, floor in enumerate(FLOORS) for package in floor}
# accounts is the floor below audit, yet may use it (its admin writes entries).
ALLOWED_UPWARD = {("accounts", "audit")}

# Where PynamoDB may be imported: the records, their reads and their writes,
# and the DynamoDB module itself.
PYNAMODB_MODULES = {"models.py", "selectors.py", "services.py"}
# core/leases.py: the jobs' leases are the one write outside a transaction
# (a conditional put, update and delete of the lease item), so it reads
# PynamoDB's own errors.
PYNAMODB_FILES = {
    Path("core/dynamo.py"),
    Path("core/field_updates.py"),
    Path("core/item_loading.py"),
    Path("core/leases.py"),
}


def app_modules():
    for package in sorted(FLOOR_OF):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT)


def imports(path: Path):
    """Every (line, imported module) of a source file, absolute imports only."""
    tree = ast.parse((ROOT / path).read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def upward_imports(path: Path) -> list[str]:
    own = path.parts[0]
    found = []
    for line, module in imports(path):
        target = module.split(".")[0]
        if target not in FLOOR_OF or target == own:
            continue
        if FLOOR_OF[target] > FLOOR_OF[own] and (own, target) not in ALLOWED_UPWARD:
            found.append(f"{path}:{line} imports {module} (a higher floor)")
    return found


def test_the_checks_see_every_app():
    packages = {path.parts[0] for path in app_modules()}
    assert packages == set(FLOOR_OF)


@pytest.mark.parametrize("path", list(app_modules()), ids=str)
def test_no_module_imports_a_higher_floor(path):
    assert upward_imports(path) == []


def test_the_ground_floor_imports_no_app_above_it():
    found = [
        f"{path}:{line} imports {module}"
        for path in app_modules()
        if path.parts[0] == "core"
        for line, module in imports(path)
        if module.split(".")[0] in FLOOR_OF and module.split(".")[0] != "core"
    ]
    assert found == []


def test_pynamodb_is_imported_only_by_models_selectors_services_and_dynamo():
    found = [
        f"{path}:{line} imports {module}"
        for path in app_modules()
        if path.name not in PYNAMODB_MODULES and path not in PYNAMODB_FILES
        for line, module in imports(path)
        if module.split(".")[0] == "pynamodb"
    ]
    assert found == []


def test_an_upward_import_is_caught(tmp_path, monkeypatch):
    """The check itself can fail: a vendors module importing invoicing."""
    module = tmp_path / "vendors" / "example.py"
    module.parent.mkdir()
    module.write_text("from invoicing.selectors import invoice_get\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert upward_imports(Path("vendors/example.py")) == [
        "vendors/example.py:1 imports invoicing.selectors (a higher floor)"
    ]


def test_every_browser_test_file_is_marked_so_it_runs_in_the_browser_pass():
    """An unmarked browser file runs in the moto pass, with no Chromium setup."""
    for path in sorted((ROOT / "tests" / "browser").glob("test_*.py")):
        text = path.read_text()
        assert "pytest.mark.browser" in text and "dynamodb_local_only" in text, path
