"""The layout is the architecture (docs/architecture.md): each rule there is checked here or by a
contract of import-linter (`[tool.importlinter]` in pyproject.toml, run by `make lint`)."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "tasks", "warehouse", "expectations", "unionflow")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the packages of `tree` with its pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """A copy of the packages and pyproject.toml, to break on purpose."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "vendor"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(module: Path, statement: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{statement}\n", encoding="utf-8")


def test_the_tree_keeps_every_layer_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    [
        ("unionflow/assessment/scoring.py", "import warehouse.connection", "The domain is pure"),
        ("unionflow/reports/html.py", "import prefect", "The domain is pure"),
        ("warehouse/payloads.py", "import unionflow.sources.folder", "never imports them"),
        ("unionflow/portal/app.py", "import tasks.collect", "The reference portal"),
        ("tasks/score.py", "import flows.score", "Imports go down"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tree_copy: Path, module: str, statement: str, contract: str
) -> None:
    add_import(tree_copy / module, statement)
    result = lint_imports(tree_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


# A string literal that is an SQL statement: it starts with one of these (docstrings excluded).
SQL_STATEMENT = re.compile(
    r"^\s*(select\s|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s"
    r"|create\s+(or\s+replace\s+)?(temp(orary)?\s+)?(table|view|index|sequence|schema|macro)\s"
    r"|with\s+\w+\s+as\s*\()",
    re.IGNORECASE,
)


def python_modules() -> list[Path]:
    """Every module of the five packages, relative to the checkout."""
    return sorted(p.relative_to(ROOT) for name in PACKAGES for p in (ROOT / name).rglob("*.py"))


def string_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal and f-string of a module except its docstrings."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
            found.append((node.lineno, "".join(str(p) for p in parts)))
    return found


def test_every_sql_statement_lives_in_a_sql_file_of_the_warehouse() -> None:
    inline = [
        f"{module}:{line}: {text.strip()[:60]}"
        for module in python_modules()
        if module.parts[:2] not in (("warehouse", "sql"), ("warehouse", "migrations"))
        for line, text in string_literals((ROOT / module).read_text(encoding="utf-8"))
        if SQL_STATEMENT.match(text)
    ]
    assert inline == [], "SQL outside warehouse/sql/*.sql:\n" + "\n".join(inline)


def test_the_sql_check_finds_an_inline_statement() -> None:
    source = 'def f(conn):\n    """Select the rows."""\n    return conn.sql("select * from units")\n'
    assert [text for _, text in string_literals(source) if SQL_STATEMENT.match(text)] == [
        "select * from units"
    ]


def test_every_ref_names_a_shared_relation_that_exists() -> None:
    from warehouse.sql import statement

    folder = ROOT / "warehouse" / "sql"
    for path in folder.glob("*.sql"):
        text = statement(path.stem)
        assert "{{" not in text, f"{path.name}: unresolved ref"
    refs = {m for path in folder.glob("*.sql") for m in re.findall(r"ref\('(\w+)'\)", path.read_text())}
    assert refs and all(name.startswith("int_") for name in refs), refs


def test_no_module_is_longer_than_400_lines() -> None:
    long = {
        str(module): lines
        for module in python_modules()
        if (lines := len((ROOT / module).read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_each_installed_top_level_name_belongs_to_this_distribution_only() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert tuple(config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]) == PACKAGES
    owners = packages_distributions()
    shared = {name: owners[name] for name in PACKAGES if set(owners.get(name, [])) - {"unionflow"}}
    assert shared == {}


def test_the_source_kind_is_decided_in_one_place() -> None:
    deciding = [
        str(module)
        for module in python_modules()
        if '"https://"' in (ROOT / module).read_text(encoding="utf-8")
        and "def is_portal" not in (ROOT / module).read_text(encoding="utf-8")
    ]
    assert deciding == []
