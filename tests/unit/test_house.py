"""The house rules of ``callcenter/``, kept by the suite: small modules, short functions,
every feature in the feature list."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "callcenter"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def test_no_module_is_over_300_lines() -> None:
    over = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert over == {}, f"split these by role (at most {MAX_MODULE_LINES} lines): {over}"


def test_no_function_is_over_60_lines() -> None:
    over = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    over[f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"] = length
    assert over == {}, f"at most {MAX_FUNCTION_LINES} lines a function: {over}"


def test_every_wiring_module_with_a_feature_is_in_the_list() -> None:
    from callcenter.app import features

    listed = {f.name for f in features.FEATURES}
    declared = set()
    for path in (PACKAGE / "app").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("FEATURE", "MEMBERSHIP", "FLOWS", "DIAL_GUARD")
                for t in node.targets
            ):
                call = node.value
                if isinstance(call, ast.Call) and call.args:
                    first = call.args[0]
                    if isinstance(first, ast.Constant):
                        declared.add(first.value)
    assert declared == listed, f"declared but not listed: {declared - listed}"


def test_the_layer_picture_names_every_module() -> None:
    """docs/architecture.md's layer picture stays complete: every module of every package
    is named in it."""
    picture = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    picture = picture.split("## Layers", 1)[1].split("## The path of a call", 1)[0]
    missing = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.stem not in ("__init__", "__main__") and p.stem not in picture
    )
    assert missing == [], f"add them to docs/architecture.md's layer picture: {missing}"
