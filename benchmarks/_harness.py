"""Side-by-side timing: ours against a peer, alternating, in one run."""

import os
import platform
import time
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Result:
    """The timings of one pair and the quality measured beside them."""

    name: str
    peer: str
    ours_s: list = field(default_factory=list)
    peer_s: list = field(default_factory=list)
    quality: str = ""
    target: float | None = None

    @property
    def ratios(self):
        return np.asarray(self.ours_s) / np.asarray(self.peer_s)

    @property
    def ratio(self):
        return float(np.median(self.ratios))

    @property
    def verdict(self):
        if self.target is None:
            return ""
        return "met" if self.ratio <= self.target else "missed"


def compare(name, peer, ours_fn, peer_fn, *, repeats=5, warmup=1, target=None):
    """Time ``ours_fn`` and ``peer_fn`` alternately after ``warmup`` rounds.

    Each function takes no argument and returns whatever the caller wants to keep
    (the fitted model, for the quality columns); the last results are returned.
    """
    for _ in range(warmup):
        ours_fn()
        peer_fn()
    result = Result(name, peer, target=target)
    ours_out = peer_out = None
    for i in range(repeats):
        # Alternate which one goes first so that neither always runs on a warm cache.
        order = ((ours_fn, result.ours_s), (peer_fn, result.peer_s))
        for fn, times in order if i % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - start)
            if fn is ours_fn:
                ours_out = out
            else:
                peer_out = out
    return result, ours_out, peer_out


def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import scipy
    import sklearn

    parts = [
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}",
    ]
    try:
        import skorch
        import torch

        parts.append(f"torch {torch.__version__}, skorch {skorch.__version__}")
    except ImportError:
        pass
    try:
        import skfuzzy

        parts.append(f"scikit-fuzzy {skfuzzy.__version__}")
    except (ImportError, AttributeError):
        pass
    return parts


def markdown_table(results):
    lines = [
        "| benchmark | peer | ours (median s) | peer (median s) | ratio ours/peer "
        "(median of pairs) | target | quality |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        target = "" if r.target is None else f"<= {r.target:g} ({r.verdict})"
        lines.append(
            f"| {r.name} | {r.peer} | {np.median(r.ours_s):.4f} | "
            f"{np.median(r.peer_s):.4f} | **{r.ratio:.2f}** | {target} | {r.quality} |"
        )
    return "\n".join(lines)
