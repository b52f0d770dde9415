"""One-way imports: import-linter's layers contract (pyproject.toml) holds, it can fail, and no module cycle exists."""

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import gankit
from gankit.games.registry import GAMES

ROOT = Path(gankit.__file__).parent
PYPROJECT = ROOT.parents[1] / "pyproject.toml"
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": str(LINT.parent), "PYTHONPATH": str(pythonpath) if pythonpath else ""}
    return subprocess.run([str(LINT), "--config", str(PYPROJECT), "--no-cache"], capture_output=True, text=True,
                          env=env, cwd=PYPROJECT.parent)


def test_the_layers_contract_is_kept():
    out = _lint()
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "1 kept, 0 broken" in out.stdout


@pytest.mark.parametrize("module", ["sampling/draw.py", "games/adversarial/game.py", "training/loop.py"])
def test_an_upward_import_breaks_the_contract(tmp_path, module):
    """The mutation check: `import gankit.api` in a lower layer turns the contract red."""
    copy = tmp_path / "gankit"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "weights"))
    target = copy / module
    target.write_text(target.read_text() + "\nimport gankit.api  # noqa: E402,F401\n")
    out = _lint(tmp_path)
    assert out.returncode != 0 and "is not allowed to import gankit.api" in out.stdout, out.stdout[-2000:]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        for n in graph.find_modules_directly_imported_by(m):
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            component = []
            while True:
                n = stack.pop()
                component.append(n)
                if n == m:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for m in sorted(graph.modules):
        if m not in index:
            visit(m)
    return found


def test_no_import_cycle_anywhere():
    """A package's __init__ re-exporting its modules is not a cycle unless a module imports the package back;
    the root package's lazy re-exports (gankit.__getattr__) are left out: nothing imports `gankit` itself."""
    graph = grimp.build_graph("gankit")
    for child in ("gankit.api", "gankit.config"):
        if graph.direct_import_exists(importer="gankit", imported=child):
            graph.remove_import(importer="gankit", imported=child)
    for target in GAMES.values():  # the game registry imports its folders by name, on first use
        if isinstance(target, str):
            graph.add_import(importer="gankit.games.registry", imported=target.split(":")[0])
    assert _cycles(graph) == []


def test_importing_gankit_has_no_side_effects():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, gankit; print('torch' in sys.modules)"], capture_output=True, text=True
    )
    assert out.stdout.strip() == "False" and out.stderr == ""
