"""No module over about 500 lines, no view over about 30 (issue 22): a long module is split
by what it does, a long view hands its work to a service.

What is still over is listed below with its size today. The list may only shrink: an entry
that grows fails, and so does an entry that is no longer over (take it off the list)."""

import ast
from pathlib import Path

import refuge

MODULE_LINES = 500
VIEW_LINES = 30

# Module (path under refuge/) -> its lines today. Each waits for a split of its own.
MODULES_STILL_OVER: dict[str, int] = {}

# (path, view) -> its lines today, from `def` to its last line.
VIEWS_STILL_OVER: dict[tuple[str, str], int] = {}

ROOT = Path(refuge.__file__).parent


def sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts or "tests" in parts or path.name == "conftest.py":
            continue
        yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def module_lines() -> dict[str, int]:
    return {name: len(text.splitlines()) for name, text in sources()}


def view_lines() -> dict[tuple[str, str], int]:
    """Every function whose first argument is `request`: a Django or django-ninja view."""
    found = {}
    for name, text in sources():
        for node in ast.walk(ast.parse(text, filename=name)):
            if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.args.args
                    and node.args.args[0].arg == "request"):
                found[(name, node.name)] = node.end_lineno - node.lineno + 1
    return found


def over(sizes: dict, limit: int, allowed: dict) -> list[str]:
    problems = []
    for key, lines in sorted(sizes.items()):
        ceiling = allowed.get(key, limit)
        if lines > ceiling:
            problems.append(f"{key}: {lines} lines (at most {ceiling})")
    for key in sorted(allowed):
        if sizes.get(key, 0) <= limit:
            problems.append(f"{key} is no longer over {limit} lines: take it off the list")
    return problems


def test_no_module_is_over_500_lines():
    assert over(module_lines(), MODULE_LINES, MODULES_STILL_OVER) == []


def test_no_view_is_over_30_lines():
    assert over(view_lines(), VIEW_LINES, VIEWS_STILL_OVER) == []


def test_the_check_sees_a_long_module_and_a_long_view():
    long_view = {("x/views.py", "big"): VIEW_LINES + 1, ("x/views.py", "small"): 3}
    assert over(long_view, VIEW_LINES, {}) == ["('x/views.py', 'big'): 31 lines (at most 30)"]
    assert over({"x.py": 501}, MODULE_LINES, {"x.py": 501}) == []
    assert over({"x.py": 502}, MODULE_LINES, {"x.py": 501}) == ["x.py: 502 lines (at most 501)"]
    assert over({"x.py": 400}, MODULE_LINES, {"x.py": 501}) == [
        "x.py is no longer over 500 lines: take it off the list"]
