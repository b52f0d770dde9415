"""The style rules of the developers' guide that a tool can check, read from the source's syntax tree.

No function over 60 lines; a docstring on every public function and method; type hints on every
parameter and return of the public API. Nested functions and members of private classes are not public.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "gankit"
MAX_LINES = 60
UNTYPED = {"self", "cls", "ctx"}  # the receiver of a method, and torch.autograd.Function's context


def _functions(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Every function of a module with whether it is public (nested ones are listed too, as private)."""
    def walk(node: ast.AST, public: bool) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield from walk(child, public and not child.name.startswith("_"))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield child, public and (not child.name.startswith("_") or child.name == "__init__")
                yield from walk(child, False)
    yield from walk(tree, True)


def _all_functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for fn, public in _functions(ast.parse(path.read_text(), filename=str(path))):
            found.append((f"{path.relative_to(SRC.parent)}:{fn.lineno} {fn.name}", fn, public))
    return found


FUNCTIONS = _all_functions()


def test_the_walk_sees_the_package() -> None:
    names = {where.split(" ")[1] for where, _, _ in FUNCTIONS}
    assert len(FUNCTIONS) > 500 and {"build_parser", "resume_config", "sample"} <= names


def test_no_function_is_longer_than_60_lines() -> None:
    long = [f"{where} ({fn.end_lineno - fn.lineno + 1} lines)" for where, fn, _ in FUNCTIONS
            if fn.end_lineno - fn.lineno + 1 > MAX_LINES]
    assert not long, "split these functions:\n" + "\n".join(long)


def test_every_public_function_has_a_docstring() -> None:
    missing = [where for where, fn, public in FUNCTIONS
               if public and fn.name != "__init__" and not ast.get_docstring(fn)]
    assert not missing, "add a one-line docstring to:\n" + "\n".join(missing)


def test_the_public_api_is_typed() -> None:
    untyped = []
    for where, fn, public in FUNCTIONS:
        if not public:
            continue
        a = fn.args
        params = a.posonlyargs + a.args + a.kwonlyargs + [p for p in (a.vararg, a.kwarg) if p is not None]
        untyped += [f"{where}({p.arg})" for p in params if p.arg not in UNTYPED and p.annotation is None]
        if fn.returns is None and fn.name != "__init__":
            untyped.append(f"{where} -> ?")
    assert not untyped, "annotate:\n" + "\n".join(untyped)


@pytest.mark.parametrize("source, expected", [
    ("def f(x: int) -> int:\n    return x\n", []),
    ("def f(x):\n    '''Doc.'''\n    return x\n", ["x", "return"]),
    ("class _Hidden:\n    def f(self, x):\n        return x\n", []),
    ("def f() -> None:\n    '''Doc.'''\n    def inner(y):\n        return y\n", []),
])
def test_the_checks_catch_what_they_should(source: str, expected: list[str]) -> None:
    """The walk's notion of public: top-level and public-class members; not nested, not private."""
    missing = []
    for fn, public in _functions(ast.parse(source)):
        if public:
            missing += [p.arg for p in fn.args.args if p.annotation is None]
            missing += ["return"] if fn.returns is None else []
    assert missing == expected
