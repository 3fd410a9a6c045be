"""The search of the code that "text is data" asks for, made a test: no string built from
values is handed to anything that parses markup, and markup is never parsed on purpose.

Stored and typed text reaches widgets and Rich only as `Text` built by `csr_tui.rich_text`
(`plain`, `lines`, `text`), which is where `rich.text.Text` is made from values. What this
cannot see (a variable holding a str) the hostile-text Pilot tests catch by running.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "csr_tui"
# The only modules that turn values into Text.
TEXT_HOME = {"rich_text.py", "screens/widgets/safe_text.py"}
# Calls that parse a str argument as markup: Textual widgets and their updates, options,
# table rows, Rich tables and Console.print. (notify is not here: CsrApp.notify makes every
# toast plain; ConfirmScreen, FormScreen and PickOneScreen make their str arguments plain.)
MARKUP_SINKS = {
    "update", "add_row", "add_rows", "add_column", "add_option", "add_options", "Option",
    "Selection", "Static", "Label", "Button", "Checkbox", "Table", "Toast",
}  # fmt: skip
MARKUP_PARSERS = {"from_markup", "render_markup", "escape"}
IDENTIFIERS = {"id", "classes", "name", "key", "variant"}  # not shown, never parsed


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(PACKAGE)), ast.parse(path.read_text(), str(path)))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def _built_string(node: ast.AST) -> bool:
    """An f-string, a concatenation or %-format with a str, or "...".join/format."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return any(
            isinstance(side, ast.JoinedStr)
            or (isinstance(side, ast.Constant) and isinstance(side.value, str))
            or _built_string(side)
            for side in (node.left, node.right)
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        return node.func.attr in ("join", "format") and (
            isinstance(owner, ast.Constant) and isinstance(owner.value, str)
        )
    if isinstance(node, ast.IfExp):
        return _built_string(node.body) or _built_string(node.orelse)
    return False


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _where(module: str, node: ast.AST) -> str:
    return f"csr_tui/{module}:{getattr(node, 'lineno', '?')}"


def test_no_string_built_from_values_goes_where_markup_is_parsed():
    offenders = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) in MARKUP_SINKS:
                arguments = [
                    *node.args,
                    *(k.value for k in node.keywords if k.arg not in IDENTIFIERS),
                ]
                if any(_built_string(a) for a in arguments):
                    offenders.append(f"{_where(module, node)} {_name(node)}(<built string>)")
    assert offenders == []


def test_markup_is_never_parsed_on_purpose():
    offenders = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if _name(node) in MARKUP_PARSERS:
                    offenders.append(f"{_where(module, node)} {_name(node)}()")
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg == "markup" and not (
                        isinstance(value, ast.Constant) and value.value is False
                    ):
                        offenders.append(f"{_where(module, node)} markup=...")
            if isinstance(node, ast.ImportFrom) and node.module == "rich.markup":
                offenders.append(f"{_where(module, node)} imports rich.markup")
    assert offenders == []


def test_text_is_made_from_values_in_one_place():
    """Outside csr_tui.rich_text (and the screens' helpers), Text and Content are made only
    of our own constants; border titles only by `plain`."""
    offenders = []
    for module, tree in _modules():
        if module in TEXT_HOME:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _name(node) in ("Text", "Content", "assemble")
                and (
                    _name(node) == "assemble"
                    or any(not isinstance(a, ast.Constant) for a in node.args)
                )
            ):
                offenders.append(f"{_where(module, node)} {ast.unparse(node)[:60]}")
            if isinstance(node, ast.Assign):
                titles = [
                    t
                    for t in node.targets
                    if isinstance(t, ast.Attribute) and t.attr.startswith("border_")
                ]
                value = node.value
                if titles and not (isinstance(value, ast.Call) and _name(value) == "plain"):
                    offenders.append(f"{_where(module, node)} {ast.unparse(node)[:60]}")
    assert offenders == []
