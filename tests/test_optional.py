"""A missing optional dependency is named with the extra that installs it."""

import pytest

from sklearn_lecture.utils._optional import import_optional


def test_present_modules_are_returned_in_order():
    numpy, scipy = import_optional(["numpy", "scipy"], extra="x", needed_by="This")
    assert numpy.__name__ == "numpy" and scipy.__name__ == "scipy"


def test_a_missing_module_names_the_extra_and_the_part_that_needs_it():
    with pytest.raises(ImportError) as info:
        import_optional(
            ["numpy", "no_such_module_here"],
            extra="rl",
            needed_by="The reinforcement-learning part",
        )
    message = str(info.value)
    assert message.startswith("The reinforcement-learning part of sklearn_lecture")
    assert "numpy and no_such_module_here" in message
    assert "pip install 'sklearn_lecture[rl]'" in message
    assert isinstance(info.value.__cause__, ImportError)
