"""Docstring entries written once and filled in where they are shared.

The one docstring mechanism of the package. An entry shared by several
docstrings is written once and named by a line holding only ``{name}`` in each
docstring that uses it, as imbalanced-learn's ``Substitution`` and MNE's
``fill_doc`` do. An entry is either text (the sequence estimators' ``X``, the
agents' tables) or :class:`ParameterDocs`: the numpydoc entries of shared
parameters, each written as its type and description, whose ``default=`` is read
from the signature of the object being documented, so that it cannot disagree
with the code.
"""

import inspect
import re
import textwrap

__all__ = ["ParameterDocs", "fill_doc", "substitute_doc"]

_PLACEHOLDER = re.compile(r"^(\s*)\{(\w+)\}\s*$")

# The line length the filled docstrings are wrapped to.
_WIDTH = 88


class ParameterDocs:
    """Numpydoc entries of parameters shared by several estimators, written once.

    Parameters
    ----------
    entries : dict of str to (str, str)
        Each parameter's type and description, e.g.
        ``{"lr": ("float", "Initial learning rate.")}``.

    Notes
    -----
    The placeholder becomes, in the order of the documented object's
    signature (a class's ``__init__``), ``name : type, default=value`` and the
    description wrapped to 88 columns, for every parameter of ``entries`` that
    the signature takes and that the docstring does not document itself (a
    class whose parameter means something else there keeps its own entry).
    A parameter without a default gets none.
    """

    def __init__(self, entries):
        self.entries = dict(entries)

    def render(self, obj, documented=(), indent=""):
        """The entries for ``obj``, as text indented by ``indent`` once filled in."""
        target = obj.__init__ if isinstance(obj, type) else obj
        blocks = []
        for name, parameter in inspect.signature(target).parameters.items():
            if name not in self.entries or name in documented:
                continue
            kind, text = self.entries[name]
            head = f"{name} : {kind}"
            if parameter.default is not inspect.Parameter.empty:
                head += f", default={_format_default(parameter.default)}"
            body = textwrap.wrap(
                " ".join(text.split()),
                width=_WIDTH - len(indent),
                initial_indent="    ",
                subsequent_indent="    ",
            )
            blocks.append("\n".join([head, *body]))
        return "\n".join(blocks)


def _format_default(value):
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _documented(doc):
    """Names that ``doc`` documents itself (``name : type`` lines)."""
    return {
        name.strip()
        for line in doc.splitlines()
        if " : " in line
        for name in line.strip().split(" : ")[0].split(",")
    }


def _expand(text, entries, obj, documented, indent=""):
    """``text`` with its placeholder lines replaced by their entries, indented."""
    out = []
    for line in text.splitlines():
        match = _PLACEHOLDER.match(line)
        if match and match[2] in entries:
            entry, where = entries[match[2]], indent + match[1]
            if isinstance(entry, ParameterDocs):
                block = entry.render(obj, documented, where)
            else:
                block = textwrap.dedent(entry.strip("\n"))
            out.extend(_expand(block, entries, obj, documented, where))
        else:
            out.append(indent + line if line.strip() else "")
    return out


def substitute_doc(obj, entries):
    """Fill ``obj``'s docstring from ``entries`` and return ``obj``.

    Each line that holds only ``{name}``, with ``name`` a key of ``entries``,
    becomes that entry, indented as the placeholder line. A text entry loses
    its common indentation and may hold placeholders itself; a
    :class:`ParameterDocs` entry is rendered for ``obj``'s signature, leaving
    out the parameters ``obj``'s docstring documents itself. Other braces are
    left alone, so ``{"lstm", "gru"}`` in a type stays as it is.
    """
    if obj.__doc__:
        documented = _documented(obj.__doc__)
        obj.__doc__ = "\n".join(_expand(obj.__doc__, entries, obj, documented))
    return obj


def fill_doc(**entries):
    """Decorator form of :func:`substitute_doc`, for classes and functions.

    Decorators stack: the one nearest the definition fills its entries first,
    so an outer :class:`ParameterDocs` leaves out what an inner one wrote.
    """

    def decorate(obj):
        return substitute_doc(obj, entries)

    return decorate
