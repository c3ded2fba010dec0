"""
==============================================================================
Model selection: cost and performance, learning and validation curves
==============================================================================

The lecture's chapter on model selection and learning methods, measured on the
handwritten digits with one small network (a ``StackedAutoencoderClassifier``
without pre-training: a multi-layer perceptron with a softmax output):

* the cost function that training minimises (the cross-entropy) against the
  performance measures that judge the model (accuracy; the confusion matrix
  with sensitivity, specificity and precision; F-score and ROC AUC);
* the learning curve (training and validation score against the size of the
  training set) and the validation curves over the L2 penalty ``alpha`` and
  ``dropout``, with the regions of high variance and high bias and the
  chapter's remedies for each;
* how training itself is helped: feature scaling, the mini-batch size, and
  batch normalisation, which lets a net train at a learning rate where the
  plain net stalls.

What it measured (two cores, about 30 s): the validation accuracy levels off
at 0.97 after ten epochs, and so does the validation cost, while the training
cost keeps falling tenfold; sensitivity, specificity and precision computed
from the confusion matrix equal scikit-learn's (test accuracy 0.97, ROC AUC
0.998); the learning curve's gap between training and validation accuracy
shrinks from 0.29 (50 digits) to 0.03 (800); on 100 digits ``alpha`` goes from
high variance (training 1.00, validation 0.88 at 0.01) to high bias (training
0.20, validation 0.13 at 10), and dropout from high variance to the start of
bias at 0.98; with every pixel in its own unit, plain gradient descent's best
learning rate leaves a cost of 0.92 after ten epochs, against 0.07 on
standardised pixels; at a learning rate of 1 the sigmoid net stalls at chance
(cross-entropy ln 10 = 2.30) and the batch-normalised one reaches 0.31, and at
3 a ReLU net stalls at 2.31 where batch normalisation reaches 0.03. The
printed report gives each run's numbers.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import (
    ShuffleSplit,
    learning_curve,
    train_test_split,
    validation_curve,
)
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import EpochScoring

from sklearn_lecture import StackedAutoencoderClassifier

output_root = Path(os.environ.get("SKLEARN_LECTURE_OUTPUT", "lecture_plots"))
output_dir = output_root / "examples"
output_dir.mkdir(parents=True, exist_ok=True)

# Small nets gain nothing from torch's intra-op threads (given back at the end).
n_threads = torch.get_num_threads()
torch.set_num_threads(1)
start = time.perf_counter()

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
# Scaled on the training rows only, so that the test rows stay unseen.
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)


def mlp(hidden=(64,), **params):
    """The chapter's network: a perceptron with ``hidden`` layers and a softmax."""
    defaults = dict(pretrain=False, lr=3e-3, max_epochs=30, batch_size=32,
                    random_state=0)  # fmt: skip
    return StackedAutoencoderClassifier(hidden, **{**defaults, **params})


# %%
# Cost function and performance measures
# --------------------------------------
# Training minimises the cost, the mean cross-entropy
# -(1/m) sum_i log p(y_i | x_i); we judge the model by a performance measure,
# here the accuracy on held-out digits. A skorch ``EpochScoring`` callback,
# passed in ``callbacks``, records the validation accuracy at every epoch
# beside the validation cross-entropy that early stopping watches.


def accuracy(net, X, y):
    # skorch's net returns the class scores; the class is their argmax.
    return float((net.predict(X).argmax(axis=1) == y).mean())


net = mlp(
    early_stopping=True,
    validation_fraction=0.2,
    n_iter_no_change=30,
    callbacks=[EpochScoring(accuracy, lower_is_better=False, name="valid_acc")],
).fit(X_train, y_train)
history = net.net_.history
valid_acc = np.array(history[:, "valid_acc"])
print("Cost and performance, per epoch (validation rows: 20 % of the training set)")
print(f"  {'epoch':>5}{'train cost':>12}{'valid cost':>12}{'valid acc':>11}")
for epoch in (1, 5, 10, 20, len(history)):
    print(
        f"  {epoch:>5}{net.loss_curve_[epoch - 1]:>12.4f}"
        f"{net.validation_loss_curve_[epoch - 1]:>12.4f}{valid_acc[epoch - 1]:>11.3f}"
    )
print(f"  test accuracy {net.score(X_test, y_test):.3f}")

# %%
# The confusion matrix, and the measures computed from it
# -------------------------------------------------------
# For each digit k against the others: TP, FN, FP, TN from the matrix C (rows:
# true class, columns: predicted). Sensitivity (recall) = TP / (TP + FN),
# specificity = TN / (TN + FP), precision = TP / (TP + FP). The lecture's slide
# writes the specificity as TN / (TN + FN): that ratio is the negative
# predictive value, not the specificity; the definition is TN / (TN + FP).

y_pred = net.predict(X_test)
C = confusion_matrix(y_test, y_pred)
tp = np.diag(C)
fn = C.sum(axis=1) - tp
fp = C.sum(axis=0) - tp
tn = C.sum() - tp - fn - fp
sensitivity = tp / (tp + fn)
specificity = tn / (tn + fp)
precision = tp / (tp + fp)
slide = tn / (tn + fn)  # the slide's formula: the negative predictive value

# The lecture's formulas against scikit-learn's functions.
classes = np.arange(10)
np.testing.assert_allclose(sensitivity, recall_score(y_test, y_pred, average=None))
np.testing.assert_allclose(precision, precision_score(y_test, y_pred, average=None))
np.testing.assert_allclose(
    specificity,
    [recall_score(y_test == k, y_pred == k, pos_label=False) for k in classes],
)
print("Per digit, from the confusion matrix (equal to scikit-learn's recall_score,")
print("precision_score and the negative class's recall):")
print(f"  {'digit':>5}{'sensitivity':>13}{'specificity':>13}{'precision':>11}"
      f"{'TN/(TN+FN)':>12}")  # fmt: skip
for k in classes:
    print(f"  {k:>5}{sensitivity[k]:>13.3f}{specificity[k]:>13.4f}"
          f"{precision[k]:>11.3f}{slide[k]:>12.4f}")  # fmt: skip
print("  specificity is TN/(TN+FP); the slide's TN/(TN+FN) is the negative")
print("  predictive value, a different ratio (last column)")
f_score = f1_score(y_test, y_pred, average="macro")
auc = roc_auc_score(y_test, net.predict_proba(X_test), multi_class="ovr")
print(f"  macro F-score {f_score:.3f}, ROC AUC (one vs rest) {auc:.4f}")

# %%
# Learning curve
# --------------
# Training and validation accuracy against the number of training digits. A
# wide gap that closes with more data is variance: more data helps. Two low
# curves that meet early would be bias: more data would not.

sizes, train_scores, valid_scores = learning_curve(
    mlp(max_epochs=20),
    X_train,
    y_train,
    train_sizes=[50, 100, 200, 400, 800],
    cv=ShuffleSplit(n_splits=2, test_size=400, random_state=0),
)
train_lc, valid_lc = train_scores.mean(axis=1), valid_scores.mean(axis=1)
print("Learning curve (accuracy, mean of 2 splits, 400 validation digits)")
for n, a, b in zip(sizes, train_lc, valid_lc):
    print(f"  {n:>5} digits: training {a:.3f}, validation {b:.3f}, gap {a - b:.3f}")

# %%
# Validation curves: regularisation against bias and variance
# -----------------------------------------------------------
# On 100 training digits a net of 256 units learns them by heart: training
# accuracy 1, validation well below, the signature of high variance. The L2
# penalty alpha (alpha / (2 B) times the squared weights, added to each
# mini-batch's cost, as scikit-learn's MLPClassifier) and dropout (each hidden
# unit zeroed with that probability during training) restrain the net; too
# much of either and it no longer fits even its training digits: high bias.

cv = ShuffleSplit(n_splits=2, train_size=100, test_size=600, random_state=0)
alphas = np.array([0.01, 0.3, 1.0, 3.0, 10.0, 30.0])
dropouts = np.array([0.0, 0.5, 0.8, 0.9, 0.95, 0.98])
curves = {}
for name, values in (("alpha", alphas), ("dropout", dropouts)):
    train_vc, valid_vc = validation_curve(
        mlp((256,), max_epochs=40), X_train, y_train, param_name=name,
        param_range=values, cv=cv,
    )  # fmt: skip
    curves[name] = (values, train_vc.mean(axis=1), valid_vc.mean(axis=1))
    print(f"Validation curve over {name} (accuracy, 100 training digits)")
    for value, a, b in zip(values, *curves[name][1:]):
        print(f"  {name}={value:<6g} training {a:.3f}, validation {b:.3f}")


def regions(train, valid):
    """Indices of high variance and of high bias along a validation curve.

    High variance: the net fits its training digits (accuracy 0.99 or more)
    and validates clearly lower. High bias: it no longer fits its own training
    digits (accuracy below 0.95), and validates lower still.
    """
    variance = np.flatnonzero((train >= 0.99) & (train - valid > 0.05))
    bias = np.flatnonzero(train < 0.95)
    return variance, bias


for name in curves:
    values, train, valid = curves[name]
    variance, bias = regions(train, valid)
    if len(variance):
        i = variance[-1]
        print(f"  {name} <= {values[i]:g}: high variance (training {train[i]:.2f}, "
              f"validation {valid[i]:.2f})")  # fmt: skip
    if len(bias):
        i = bias[0]
        print(f"  {name} >= {values[i]:g}: high bias (training {train[i]:.2f}, "
              f"validation {valid[i]:.2f})")  # fmt: skip
print("  Remedies (the chapter): high variance - more data, stronger "
      "regularisation (alpha, dropout), a smaller net, early stopping;")
print("  high bias - a bigger net, longer training, weaker regularisation, "
      "better features.")

# %%
# Feature scaling
# ---------------
# The digits' pixels share one range (0 to 16). To see what scaling is for,
# give every pixel its own unit (a factor between 0.01 and 100): plain
# gradient descent must then take steps small enough for the largest
# features, and the small ones hardly learn. For each version the best of
# three learning rates is kept.

factors = 10.0 ** np.random.RandomState(0).uniform(-2, 2, X.shape[1])
versions = {
    "standardised": X_train,
    "own units": scaler.inverse_transform(X_train) * factors,
}
scaling = {}
for name, data in versions.items():
    best = None
    for lr in (1e-3, 1e-2, 1e-1):
        try:
            fit = mlp(optimizer="sgd", lr=lr, max_epochs=10).fit(data, y_train)
        except ValueError:  # diverged: a learning rate too large for the data
            continue
        if best is None or fit.loss_curve_[-1] < best[1].loss_curve_[-1]:
            best = (lr, fit)
    scaling[name] = best
    print(f"Feature scaling, {name}: best lr {best[0]:g}, cost after 10 epochs "
          f"{best[1].loss_curve_[-1]:.3f}")  # fmt: skip

# %%
# Mini-batch size
# ---------------
# Ten epochs each: small batches make many noisy updates per epoch (and cost
# more time per epoch), large ones few accurate updates.

batches = {}
for size in (16, 64, 512):
    tic = time.perf_counter()
    fit = mlp(lr=1e-3, max_epochs=10, batch_size=size).fit(X_train, y_train)
    batches[size] = (fit.loss_curve_, time.perf_counter() - tic)
    updates = 10 * int(np.ceil(len(X_train) / size))
    print(f"Batch size {size:>3}: {updates:>4} updates, cost after 10 epochs "
          f"{fit.loss_curve_[-1]:.3f}, {batches[size][1]:.1f} s")  # fmt: skip

# %%
# Batch normalisation allows higher learning rates
# ------------------------------------------------
# Three sigmoid layers trained by plain gradient descent: at these learning
# rates the plain net stalls near chance (cross-entropy ln 10 = 2.30), the
# batch-normalised one learns, the faster the higher the rate. A ReLU net at
# a rate of 3 stalls (or diverges) without batch normalisation. The lecture names the
# other benefits: less need of dropout and of a large regularisation
# parameter.

norm_curves = {}
for lr in (0.3, 1.0):
    for batch_norm in (False, True):
        fit = mlp((64, 64, 64), activation="sigmoid", optimizer="sgd", lr=lr,
                  max_epochs=10, batch_size=128, batch_norm=batch_norm)  # fmt: skip
        norm_curves[lr, batch_norm] = fit.fit(X_train, y_train).loss_curve_
        print(f"Sigmoid net, lr={lr:g}, batch_norm={batch_norm!s:<5}: cost after "
              f"10 epochs {norm_curves[lr, batch_norm][-1]:.3f}, test accuracy "
              f"{fit.score(X_test, y_test):.3f}")  # fmt: skip
for batch_norm in (False, True):
    relu = mlp((64, 64, 64), optimizer="sgd", lr=3.0, max_epochs=10, batch_size=128,
               batch_norm=batch_norm)  # fmt: skip
    try:
        relu.fit(X_train, y_train)
        outcome = f"cost after 10 epochs {relu.loss_curve_[-1]:.3f}"
    except ValueError as error:
        outcome = str(error).split(":")[1].split(".")[0].strip()
    print(f"ReLU net, lr=3, batch_norm={batch_norm!s:<5}: {outcome}")

# %%
# The figures
# -----------
fig, axes = plt.subplots(2, 3, figsize=(15, 8.5))
ax = axes[0, 0]
epochs = np.arange(1, len(history) + 1)
ax.plot(epochs, net.loss_curve_, label="training cost (cross-entropy)")
ax.plot(epochs, net.validation_loss_curve_, label="validation cost")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy")
ax.set_yscale("log")
twin = ax.twinx()
twin.plot(epochs, valid_acc, color="C2", label="validation accuracy")
twin.set_ylabel("accuracy")
ax.legend(loc="center right", fontsize=8)
twin.legend(loc="lower right", fontsize=8)
ax.set_title("Cost function and performance measure")

ax = axes[0, 1]
ax.imshow(C, cmap="Blues")
for (i, j), count in np.ndenumerate(C):
    if count:
        ax.text(j, i, count, ha="center", va="center", fontsize=7,
                color="white" if count > C.max() / 2 else "black")  # fmt: skip
ax.set_xticks(classes)
ax.set_yticks(classes)
ax.set_xlabel("predicted digit")
ax.set_ylabel("true digit")
ax.set_title(f"Confusion matrix (test accuracy {np.trace(C) / C.sum():.3f})")

ax = axes[0, 2]
ax.plot(sizes, train_lc, "o-", label="training")
ax.plot(sizes, valid_lc, "o-", label="validation")
ax.fill_between(sizes, valid_lc, train_lc, alpha=0.15, label="gap: variance")
ax.set_xscale("log")
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.minorticks_off()
ax.set_xlabel("training digits")
ax.set_ylabel("accuracy")
ax.set_title("Learning curve")
ax.legend(fontsize=8)

for ax, name in zip(axes[1, :2], ("alpha", "dropout")):
    values, train, valid = curves[name]
    x = np.arange(len(values))
    for where, color, label in zip(regions(train, valid), ("C1", "C3"),
                                   ("high variance", "high bias")):  # fmt: skip
        if len(where):
            ax.axvspan(where[0] - 0.5, where[-1] + 0.5, color=color, alpha=0.12,
                       label=label)  # fmt: skip
    ax.plot(x, train, "o-", label="training")
    ax.plot(x, valid, "o-", label="validation")
    ax.set_xticks(x, [f"{v:g}" for v in values])
    ax.set_xlim(-0.5, len(values) - 0.5)
    ax.set_xlabel(name)
    ax.set_ylabel("accuracy")
    ax.set_title(f"Validation curve over {name} (100 training digits)")
    ax.legend(fontsize=8, loc="lower left")

ax = axes[1, 2]
for (lr, batch_norm), curve in norm_curves.items():
    style = "-" if batch_norm else "--"
    label = f"lr={lr:g}, " + ("batch norm" if batch_norm else "plain")
    color = "C0" if lr < 1 else "C3"
    ax.plot(np.arange(1, len(curve) + 1), curve, style, color=color, label=label)
ax.axhline(np.log(10), color="grey", lw=0.8, ls=":", label="chance (ln 10)")
ax.set_xlabel("epoch")
ax.set_ylabel("training cross-entropy")
ax.set_title("Batch normalisation: sigmoid net, plain SGD")
ax.legend(fontsize=8)
fig.tight_layout()
path = output_dir / "model_selection.png"
fig.savefig(path, dpi=90)
plt.close(fig)
print(f"wrote {path}")

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for name, (lr, fit) in scaling.items():
    axes[0].plot(np.arange(1, 11), fit.loss_curve_, "o-", label=f"{name} (lr={lr:g})")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("training cross-entropy")
axes[0].set_yscale("log")
axes[0].set_title("Feature scaling (plain SGD, best of three rates)")
axes[0].legend(fontsize=8)
for size, (curve, seconds) in batches.items():
    axes[1].plot(np.arange(1, 11), curve, "o-",
                 label=f"batch size {size} ({seconds:.1f} s)")  # fmt: skip
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("training cross-entropy")
axes[1].set_yscale("log")
axes[1].set_title("Mini-batch size (Adam, lr=1e-3)")
axes[1].legend(fontsize=8)
fig.tight_layout()
path = output_dir / "model_selection_training.png"
fig.savefig(path, dpi=90)
plt.close(fig)
print(f"wrote {path}")
print(f"({time.perf_counter() - start:.0f} s)")
torch.set_num_threads(n_threads)
