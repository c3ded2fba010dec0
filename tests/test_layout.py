"""What may import what in the classical families (see the issue on the layout).

No family imports another family's private module (shared helpers live in
``utils``), and scikit-learn's private names come only through
``utils/_compat.py``.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "sklearn_lecture"


def _imports(path):
    """(module, names) of every import statement of a source file."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            yield module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


CLASSICAL = ["cluster", "decomposition", "discriminant_analysis", "utils"]


@pytest.mark.parametrize("family", CLASSICAL)
def test_no_family_imports_another_familys_private_module(family):
    for path in (PACKAGE / family).glob("*.py"):
        for module, _ in _imports(path):
            # "..x._y" from inside a family is another family's private module,
            # except the shared helpers in utils.
            parts = module.lstrip(".").split(".")
            if module.startswith("..") and parts[0] != "utils":
                assert not (len(parts) > 1 and parts[1].startswith("_")), (
                    f"{path.name} imports {module}"
                )


@pytest.mark.parametrize("family", CLASSICAL)
def test_private_sklearn_names_only_through_compat(family):
    for path in (PACKAGE / family).glob("*.py"):
        if path.name == "_compat.py":
            continue
        for module, names in _imports(path):
            if module.split(".")[0] == "sklearn":
                private = [p for p in module.split(".") + names if p.startswith("_")]
                assert not private, f"{path.name} imports {private} from {module}"
