"""The shared docstring entries: filled in once, everywhere they are named."""

import inspect
import re

from sklearn_lecture.utils import all_estimators
from sklearn_lecture.utils._docstrings import ParameterDocs, fill_doc, substitute_doc

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


def test_parameter_entries_take_their_defaults_from_the_signature():
    shared = ParameterDocs(
        {
            "lr": ("float", "The rate."),
            "name": ("str", "A name."),
            "size": ("int", "Documented by the class itself."),
            "absent": ("int", "Not in the signature."),
        }
    )
    own = ParameterDocs({"X": ("ndarray", "The data."), "lr": ("float", "Its own.")})

    @fill_doc(shared=shared)
    @fill_doc(own=own)
    class Model:
        """Summary.

        Parameters
        ----------
        {own}
        size : int, default=3
            Its own entry.
        {shared}
        """

        def __init__(self, X, size=3, *, name="a", lr=0.5):
            pass

    assert Model.__doc__.splitlines()[4:] == [
        "        X : ndarray",
        "            The data.",
        "        lr : float, default=0.5",
        "            Its own.",
        "        size : int, default=3",
        "            Its own entry.",
        '        name : str, default="a"',
        "            A name.",
    ]


def test_parameter_descriptions_are_wrapped_to_the_line_length():
    text = " ".join(["word"] * 60)

    @fill_doc(p=ParameterDocs({"x": ("int", text)}))
    def f(x=1):
        """Summary.

            {p}
        """

    lines = f.__doc__.splitlines()
    assert lines[2] == "            x : int, default=1"
    assert all(len(line) <= 88 for line in lines)
    assert " ".join(line.strip() for line in lines[3:]) == text


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
