"""Inference of the nets against the bare module's forward, at the input's precision.

Autoencoder.transform (the encoder only) on 200,000 x 64 and RNNRegressor(lstm)
.predict on 20,000 sequences of 50 steps, float32 and float64 input, against a
forward pass of the same fitted module in the same precision (median of 5, one
torch thread).
"""

import copy
import time

import numpy as np
import torch

from sklearn_lecture import Autoencoder, RNNRegressor


def _median(fn, repeats=5):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    torch.set_num_threads(1)
    rng = np.random.RandomState(0)
    X = rng.rand(200_000, 64)
    ae = Autoencoder((128, 8), max_epochs=1, random_state=0).fit(X[:5000])
    S = rng.rand(20_000, 50, 1)
    rnn = RNNRegressor("lstm", max_epochs=1, random_state=0)
    rnn.fit(S[:500], S[:500, -1, 0])
    for dtype, tdtype in ((np.float32, torch.float32), (np.float64, torch.float64)):
        Xd, Sd = X.astype(dtype), S.astype(dtype)
        enc = copy.deepcopy(ae.net_.module_).to(tdtype).eval()
        mod = copy.deepcopy(rnn.net_.module_).to(tdtype).eval()

        def bare_encoder():
            with torch.no_grad():
                enc.encode(torch.from_numpy(Xd))

        def bare_rnn():
            with torch.no_grad():
                mod(torch.from_numpy(np.concatenate([Sd, np.ones_like(Sd)], axis=2)))

        ours_ae, bare_ae = _median(lambda: ae.transform(Xd)), _median(bare_encoder)
        ours_rnn, bare_r = _median(lambda: rnn.predict(Sd), 3), _median(bare_rnn, 3)
        print(f"{np.dtype(dtype).name}: Autoencoder.transform {ours_ae:.3f} s vs "
              f"encoder forward {bare_ae:.3f} s (ratio {ours_ae / bare_ae:.2f}); "
              f"RNNRegressor.predict {ours_rnn:.3f} s vs module forward "
              f"{bare_r:.3f} s (ratio {ours_rnn / bare_r:.2f})")


if __name__ == "__main__":
    main()
