"""``python -m sklearn_lecture``: the tour of every estimator."""

from ._tour import main

if __name__ == "__main__":
    raise SystemExit(main())
