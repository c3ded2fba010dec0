"""Optional dependencies: imported where used; a missing one is named with its extra."""

import importlib

__all__ = ["import_optional"]


def import_optional(modules, *, extra, needed_by, hint=""):
    """Import ``modules`` (names) and return them, or raise a clear ImportError.

    The error says which part of sklearn_lecture needs them and the
    ``pip install 'sklearn_lecture[extra]'`` command that installs them.
    """
    try:
        return [importlib.import_module(name) for name in modules]
    except ImportError as exc:
        raise ImportError(
            f"{needed_by} of sklearn_lecture need{'' if len(modules) > 1 else 's'} "
            f"{' and '.join(modules)}. Install with: "
            f"pip install 'sklearn_lecture[{extra}]'{hint}."
        ) from exc
