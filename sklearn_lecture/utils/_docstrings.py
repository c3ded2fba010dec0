"""Docstring entries written once and filled in where they are shared.

An entry shared by several docstrings (a family's common parameters, the
sequence estimators' ``X`` and ``sample_lengths``) is written once as text and
named by a line holding only ``{name}`` in each docstring that uses it, as
imbalanced-learn's ``Substitution`` and MNE's ``fill_doc`` do.
"""

import re
import textwrap

__all__ = ["fill_doc", "substitute_doc"]

_PLACEHOLDER = re.compile(r"^(\s*)\{(\w+)\}\s*$")


def _expand(text, entries, indent=""):
    """``text`` with its placeholder lines replaced by their entries, indented."""
    out = []
    for line in text.splitlines():
        match = _PLACEHOLDER.match(line)
        if match and match[2] in entries:
            block = textwrap.dedent(entries[match[2]].strip("\n"))
            out.extend(_expand(block, entries, indent + match[1]))
        else:
            out.append(indent + line if line.strip() else "")
    return out


def substitute_doc(obj, entries):
    """Fill ``obj``'s docstring from ``entries`` and return ``obj``.

    Each line that holds only ``{name}``, with ``name`` a key of ``entries``,
    becomes that entry (its common indentation removed, then indented as the
    placeholder line); entries may hold placeholders themselves. Other
    braces are left alone, so ``{"lstm", "gru"}`` in a type stays as it is.
    """
    if obj.__doc__:
        obj.__doc__ = "\n".join(_expand(obj.__doc__, entries))
    return obj


def fill_doc(**entries):
    """Decorator form of :func:`substitute_doc`, for classes and functions."""

    def decorate(obj):
        return substitute_doc(obj, entries)

    return decorate
