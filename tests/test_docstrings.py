"""The shared docstring entries: filled in once, everywhere they are named."""

import inspect
import re

from sklearn_lecture.utils import all_estimators
from sklearn_lecture.utils._docstrings import fill_doc, substitute_doc

PLACEHOLDER = re.compile(r"^\s*\{\w+\}\s*$")


def test_an_entry_is_indented_as_its_placeholder_and_may_nest():
    @fill_doc(
        outer="""
            a : int
                The first. {not_a_placeholder} stays.
            {inner}""",
        inner="b : {\"x\", \"y\"}\n    The second.",
    )
    def f():
        """Summary.

        Parameters
        ----------
        {outer}
        c : float
        """

    assert f.__doc__.splitlines() == [
        "Summary.",
        "",
        "        Parameters",
        "        ----------",
        "        a : int",
        "            The first. {not_a_placeholder} stays.",
        '        b : {"x", "y"}',
        "            The second.",
        "        c : float",
    ]


def test_unknown_placeholders_and_missing_docstrings_are_left_alone():
    def f():
        pass

    assert substitute_doc(f, {"x": "y"}) is f and f.__doc__ is None

    def g():
        """{other}"""

    assert substitute_doc(g, {"x": "y"}).__doc__ == "{other}"


def _documented_objects():
    for name, cls in all_estimators():
        yield name, cls
        for attr, member in inspect.getmembers(cls):
            if not attr.startswith("_") and callable(member) and member.__doc__:
                yield f"{name}.{attr}", member


def test_no_docstring_keeps_an_unfilled_placeholder():
    unfilled = {
        name: line.strip()
        for name, obj in _documented_objects()
        for line in obj.__doc__.splitlines()
        if PLACEHOLDER.match(line)
    }
    assert not unfilled
