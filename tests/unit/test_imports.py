"""The layering rules of DESIGN.md, read from the source with ast: lower layers never import upper ones."""

import ast
from pathlib import Path

import gankit

ROOT = Path(gankit.__file__).parent
ALLOWED = {
    "utils": {"utils"},
    "nn": {"nn", "utils"},
    "models": {"models", "nn", "utils"},
    "losses": {"losses", "utils", "errors"},
    "metrics": {"metrics", "utils", "errors"},
    "data": {"data", "utils", "errors"},
    "augment": {"augment", "utils", "errors"},
    "training": {"training", "losses", "metrics", "augment", "utils", "errors"},
    # latent tools work on a Run (duck-typed); api only to load a run's dataset for nearest neighbours
    "latent": {"latent", "metrics", "utils", "errors", "api"},
}


def _gankit_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for n in names:
            parts = n.split(".")
            if parts[0] == "gankit" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_layers_import_only_downwards():
    bad = []
    for layer, allowed in ALLOWED.items():
        for path in (ROOT / layer).rglob("*.py"):
            for imported in _gankit_imports(path) - allowed:
                bad.append(f"{path.relative_to(ROOT)} imports gankit.{imported}")
    assert not bad, "layering violations:\n" + "\n".join(bad)


def test_importing_gankit_has_no_side_effects():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import sys, gankit; print('torch' in sys.modules)"], capture_output=True, text=True
    )
    assert out.stdout.strip() == "False" and out.stderr == ""
