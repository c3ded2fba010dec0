"""The lecture's optimizers and learning-rate schedules, resolved by name.

Every neural estimator shares the hyperparameters ``optimizer`` (one of
:data:`OPTIMIZERS`), ``lr``, ``momentum``, ``rho``, ``lr_schedule`` (``None`` or one
of :data:`LR_SCHEDULES`), ``lr_decay``, ``lr_step_size`` and ``lr_step_gamma``.
:func:`resolve_optimizer` turns the first ones into a torch optimizer class and the
keyword arguments skorch passes as ``optimizer__*``; :func:`make_lr_scheduler` turns
the schedule into a skorch callback that anneals the learning rate once per epoch.

torch has no RMSProp with Nesterov momentum (the lecture's Algorithm 8.6), so
:class:`RMSPropNesterov` implements it.
"""

import functools
import math

import torch
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import LambdaLR

__all__ = [
    "OPTIMIZERS",
    "LR_SCHEDULES",
    "RMSPropNesterov",
    "resolve_optimizer",
    "make_lr_scheduler",
]

OPTIMIZERS = (
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "rmsprop_nesterov",
    "adam",
)

LR_SCHEDULES = ("step", "exponential", "inverse_time")


class RMSPropNesterov(torch.optim.Optimizer):
    r"""RMSProp with Nesterov momentum (Goodfellow et al., *Deep Learning*, Alg. 8.6).

    The algorithm keeps a running average ``r`` of squared gradients and a velocity
    ``v``; the gradient is taken at the look-ahead point ``θ + αv``:

    .. math::

        \tilde\theta &= \theta + \alpha v \\
        g &= \nabla L(\tilde\theta) \\
        r &\leftarrow \rho r + (1 - \rho)\, g \odot g \\
        v &\leftarrow \alpha v - \frac{\epsilon}{\sqrt{\delta + r}} \odot g \\
        \theta &\leftarrow \theta + v

    with ``ε = lr``, ``α = momentum`` and ``δ = eps``. The small constant ``δ`` sits
    under the square root, as in the book's plain RMSProp (Alg. 8.5), so that a
    parameter whose gradients have all been zero is divided by ``√δ``, not by zero.

    torch evaluates the gradient at the current parameter values, so the parameters
    hold the look-ahead point ``θ̃ = θ + αv`` instead of ``θ`` (the reparametrisation
    torch's own Nesterov SGD uses). Substituting it into the updates above gives, per
    step, with ``g`` the gradient at the stored parameters::

        r ← ρ r + (1 − ρ) g²
        v ← α v − lr · g / √(δ + r)
        θ̃ ← θ̃ + α v − lr · g / √(δ + r)

    Both sequences start from ``v = 0``, hence ``θ̃₀ = θ₀``; at every step the stored
    parameters equal the book's ``θ + αv``, which differ from ``θ`` by ``αv`` and meet
    it as the velocity dies out at convergence.

    Parameters
    ----------
    params : iterable
        The parameters (or parameter groups) to optimise.
    lr : float, default=1e-3
        Global learning rate ``ε``.
    rho : float, default=0.9
        Decay rate ``ρ`` of the running average of squared gradients, in [0, 1).
    momentum : float, default=0.9
        Momentum coefficient ``α``, in [0, 1).
    eps : float, default=1e-6
        Small constant ``δ`` added to ``r`` under the square root for numerical
        stability.

    Examples
    --------
    >>> import torch
    >>> from sklearn_lecture.neural._optim import RMSPropNesterov
    >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    >>> opt = RMSPropNesterov([w], lr=0.1, rho=0.9, momentum=0.5)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     (w ** 2).sum().backward()
    ...     opt.step()
    >>> bool((w.abs() < torch.tensor([1.0, 2.0])).all())
    True
    """

    def __init__(self, params, lr=1e-3, rho=0.9, momentum=0.9, eps=1e-6):
        if not lr >= 0.0:
            raise ValueError(f"RMSPropNesterov needs lr >= 0, got lr={lr!r}.")
        if not 0.0 <= rho < 1.0:
            raise ValueError(f"RMSPropNesterov needs 0 <= rho < 1, got rho={rho!r}.")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(
                f"RMSPropNesterov needs 0 <= momentum < 1, got momentum={momentum!r}."
            )
        if not eps > 0.0:
            raise ValueError(f"RMSPropNesterov needs eps > 0, got eps={eps!r}.")
        defaults = dict(lr=lr, rho=rho, momentum=momentum, eps=eps)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        """Perform one update; ``closure`` re-evaluates the loss if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, rho = group["lr"], group["rho"]
            alpha, eps = group["momentum"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if g.is_sparse:
                    raise RuntimeError(
                        "RMSPropNesterov does not support sparse gradients."
                    )
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                    state["velocity"] = torch.zeros_like(p)
                r, v = state["square_avg"], state["velocity"]
                r.mul_(rho).addcmul_(g, g, value=1.0 - rho)
                scaled = g / (r + eps).sqrt_()
                v.mul_(alpha).add_(scaled, alpha=-lr)
                p.add_(v, alpha=alpha).add_(scaled, alpha=-lr)
        return loss


def resolve_optimizer(name, *, momentum, rho):
    """Return the torch optimizer class and its keyword arguments for a lecture name.

    Parameters
    ----------
    name : str
        One of :data:`OPTIMIZERS`: ``"sgd"`` (plain), ``"momentum"`` (heavy ball),
        ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``, ``"rmsprop_nesterov"``
        (:class:`RMSPropNesterov`) or ``"adam"``.
    momentum : float
        Momentum coefficient α, used by ``"momentum"``, ``"nesterov"`` and
        ``"rmsprop_nesterov"``.
    rho : float
        Decay rate ρ of the squared-gradient average, used by ``"rmsprop"`` (torch's
        ``alpha``) and ``"rmsprop_nesterov"``.

    Returns
    -------
    optimizer_class : type
        A subclass of ``torch.optim.Optimizer``.
    kwargs : dict
        Keyword arguments for it (without ``lr``), what skorch takes as
        ``optimizer__<name>``.

    Examples
    --------
    >>> from sklearn_lecture.neural._optim import resolve_optimizer
    >>> cls, kwargs = resolve_optimizer("nesterov", momentum=0.9, rho=0.9)
    >>> cls.__name__, kwargs
    ('SGD', {'momentum': 0.9, 'nesterov': True})
    """
    if name not in OPTIMIZERS:
        raise ValueError(
            f"Unknown optimizer {name!r}; valid names are {', '.join(OPTIMIZERS)}."
        )
    if name in ("momentum", "nesterov", "rmsprop_nesterov") and not (
        0.0 <= momentum < 1.0
    ):
        raise ValueError(
            f"optimizer={name!r} needs 0 <= momentum < 1, got momentum={momentum!r}."
        )
    if name in ("rmsprop", "rmsprop_nesterov") and not 0.0 <= rho < 1.0:
        raise ValueError(f"optimizer={name!r} needs 0 <= rho < 1, got rho={rho!r}.")
    if name == "nesterov" and momentum == 0:
        # torch refuses Nesterov without momentum with a less helpful message.
        raise ValueError("optimizer='nesterov' needs momentum > 0, got momentum=0.")
    if name == "sgd":
        return torch.optim.SGD, {}
    if name == "momentum":
        return torch.optim.SGD, {"momentum": momentum}
    if name == "nesterov":
        return torch.optim.SGD, {"momentum": momentum, "nesterov": True}
    if name == "adagrad":
        return torch.optim.Adagrad, {}
    if name == "rmsprop":
        return torch.optim.RMSprop, {"alpha": rho}
    if name == "rmsprop_nesterov":
        return RMSPropNesterov, {"rho": rho, "momentum": momentum}
    return torch.optim.Adam, {}


def _exponential_decay(epoch, *, k):
    return math.exp(-k * epoch)


def _inverse_time_decay(epoch, *, k):
    return 1.0 / (1.0 + k * epoch)


def _step_decay(epoch, *, step_size, gamma):
    return gamma ** (epoch // step_size)


def make_lr_scheduler(schedule, *, lr_decay, lr_step_size, lr_step_gamma):
    """Return a skorch callback that anneals the learning rate once per epoch.

    With ``α₀`` the initial learning rate and ``t`` the number of epochs done:

    - ``"exponential"``: ``α₀ · exp(−k t)`` with ``k = lr_decay``;
    - ``"inverse_time"``: ``α₀ / (1 + k t)`` with ``k = lr_decay``;
    - ``"step"``: ``α₀ · lr_step_gamma ** (t // lr_step_size)``.

    Each is a factor of ``α₀`` computed from ``t`` (torch's ``LambdaLR``), never
    a multiplication of the current rate: a net continued by ``partial_fit``,
    whose scheduler is built again at each call, follows the schedule of one
    long fit (torch's incremental ``StepLR`` would apply a step twice). The
    schedule functions are module-level ``functools.partial`` objects, so a
    fitted net that holds the callback can be pickled.

    Parameters
    ----------
    schedule : {"step", "exponential", "inverse_time"} or None
        The schedule; ``None`` gives ``None`` (constant learning rate).
    lr_decay : float
        Decay constant ``k`` of the exponential and inverse-time schedules (>= 0).
    lr_step_size : int
        Number of epochs between two multiplications by ``lr_step_gamma`` (>= 1).
    lr_step_gamma : float
        Factor of the step schedule (> 0).

    Returns
    -------
    callback : skorch.callbacks.LRScheduler or None
        Records the learning rate of each epoch as ``"event_lr"`` in the history.

    Examples
    --------
    >>> from sklearn_lecture.neural._optim import make_lr_scheduler
    >>> cb = make_lr_scheduler("step", lr_decay=0.0, lr_step_size=10, lr_step_gamma=0.5)
    >>> type(cb).__name__, cb.policy.__name__
    ('LRScheduler', 'LambdaLR')
    >>> [cb.kwargs["lr_lambda"](t) for t in (0, 9, 10, 25)]
    [1.0, 1.0, 0.5, 0.25]
    >>> make_lr_scheduler(None, lr_decay=0.0, lr_step_size=1, lr_step_gamma=0.1) is None
    True
    """
    if schedule is None:
        return None
    if schedule not in LR_SCHEDULES:
        raise ValueError(
            f"Unknown lr_schedule {schedule!r}; valid names are None, "
            f"{', '.join(repr(s) for s in LR_SCHEDULES)}."
        )
    if schedule == "step":
        if int(lr_step_size) != lr_step_size or lr_step_size < 1:
            raise ValueError(
                f"lr_schedule='step' needs an integer lr_step_size >= 1, "
                f"got {lr_step_size!r}."
            )
        if not lr_step_gamma > 0:
            raise ValueError(
                f"lr_schedule='step' needs lr_step_gamma > 0, got {lr_step_gamma!r}."
            )
        step = functools.partial(
            _step_decay, step_size=int(lr_step_size), gamma=lr_step_gamma
        )
        return LRScheduler(policy=LambdaLR, lr_lambda=step)
    if not lr_decay >= 0:
        raise ValueError(
            f"lr_schedule={schedule!r} needs lr_decay >= 0, got {lr_decay!r}."
        )
    decay = _exponential_decay if schedule == "exponential" else _inverse_time_decay
    return LRScheduler(policy=LambdaLR, lr_lambda=functools.partial(decay, k=lr_decay))
