"""Every schedule of anneal.optimizers.schedules against its formula written out here, argument errors,
units, and SGD driven by a per-update schedule."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import math

import pytest

import anneal
from anneal.errors import InvalidArgumentError
from anneal.optimizers import SGD
from anneal.optimizers import schedules as S
from helpers import RATE_TOLERANCE, assert_close, small_data, small_model

STEPS = [0, 1, 2, 5, 9, 10, 11, 19, 20, 21, 37, 99, 100, 150]


def _check(schedule, formula, steps=STEPS, tolerance=1e-12):
    assert_close([schedule(s) for s in steps], [formula(s) for s in steps], tolerance, type(schedule).__name__)


def test_step_decay():
    _check(S.StepDecay(0.2, 0.25, 4.0), lambda e: 0.2 * 0.25 ** math.floor((1 + e) / 4.0))
    _check(S.StepDecay(), lambda e: 0.1 * 0.5 ** math.floor((1 + e) / 10.0))


def test_time_decay_is_float32():
    _check(S.TimeDecay(0.1, 0.002), lambda s: 0.1 / (1 + 0.002 * s), tolerance=RATE_TOLERANCE)


def test_tutorial_compounding_decay():
    def formula(k):
        rate = 0.1
        for i in range(1, k + 1):
            rate = rate / (1 + 0.01 * i)
        return rate

    _check(S.TutorialCompoundingDecay(0.1, 0.01), formula, tolerance=1e-12)


def test_constant():
    _check(S.Constant(0.05), lambda s: 0.05)


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    def formula(s):
        p = s // 10 if staircase else s / 10
        return 0.1 * 0.5 ** p

    _check(S.ExponentialDecay(0.1, 10, 0.5, staircase=staircase), formula)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    def formula(s):
        p = s // 5 if staircase else s / 5
        return 0.1 / (1 + 0.5 * p)

    _check(S.InverseTimeDecay(0.1, 5, 0.5, staircase=staircase), formula)


def test_inverse_time_decay_with_one_step_is_the_legacy_decay():
    legacy = S.TimeDecay(0.1, 0.002)
    keras = S.InverseTimeDecay(0.1, 1, 0.002)
    assert_close([keras(s) for s in STEPS], [legacy(s) for s in STEPS], RATE_TOLERANCE, "InverseTimeDecay")


def test_piecewise_constant_decay():
    def formula(s):
        if s <= 10:
            return 1.0
        if s <= 20:
            return 0.5
        return 0.1

    _check(S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]), formula)


@pytest.mark.parametrize("cycle", [False, True])
def test_polynomial_decay(cycle):
    def formula(s):
        steps = 100
        if cycle:
            steps = 100 * (1 if s == 0 else math.ceil(s / 100))
            return (0.1 - 0.01) * (1 - s / steps) ** 2 + 0.01
        return (0.1 - 0.01) * (1 - min(s, 100) / 100) ** 2 + 0.01

    _check(S.PolynomialDecay(0.1, 100, end_learning_rate=0.01, power=2.0, cycle=cycle), formula)


def test_polynomial_decay_defaults_end_at_1e_4():
    schedule = S.PolynomialDecay(0.1, 10)
    assert schedule(10) == pytest.approx(1e-4)
    assert schedule(50) == pytest.approx(1e-4)


def test_cosine_decay():
    def formula(s):
        return 0.1 * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * min(s, 100) / 100)) + 0.1)

    _check(S.CosineDecay(0.1, 100, alpha=0.1), formula)


def test_cosine_decay_with_warmup():
    def formula(s):
        if s < 10:
            return 0.0 + (1.0 - 0.0) * s / 10
        t = min(s - 10, 50)
        return 1.0 * (0.5 * (1 + math.cos(math.pi * t / 50)))

    _check(S.CosineDecay(0.0, 50, warmup_target=1.0, warmup_steps=10), formula, steps=range(0, 80))


def test_cosine_decay_restarts():
    def formula(s, first=10, t_mul=2.0, m_mul=0.5, alpha=0.05):
        fraction = s / first
        i = math.floor(math.log(1 - fraction * (1 - t_mul)) / math.log(t_mul))
        total = (1 - t_mul ** i) / (1 - t_mul)
        fraction = (fraction - total) / t_mul ** i
        cosine = 0.5 * m_mul ** i * (1 + math.cos(math.pi * fraction))
        return 0.1 * ((1 - alpha) * cosine + alpha)

    _check(S.CosineDecayRestarts(0.1, 10, t_mul=2.0, m_mul=0.5, alpha=0.05), formula, steps=range(0, 80),
           tolerance=1e-10)


def test_cosine_decay_restarts_with_constant_period():
    def formula(s):
        fraction = s / 10 - math.floor(s / 10)
        return 0.1 * 0.5 * (1 + math.cos(math.pi * fraction))

    _check(S.CosineDecayRestarts(0.1, 10, t_mul=1.0), formula, steps=range(0, 40), tolerance=1e-10)


def test_step_lr_drops_one_epoch_after_the_tutorial():
    schedule = S.StepLR(0.1, 10, 0.5)
    _check(schedule, lambda e: 0.1 * 0.5 ** (e // 10))
    assert schedule(9) == 0.1 and schedule(10) == 0.05
    assert S.StepDecay()(9) == 0.05


def test_multi_step_lr():
    _check(S.MultiStepLR(0.1, [3, 7, 20], gamma=0.1), lambda e: 0.1 * 0.1 ** sum(1 for m in (3, 7, 20) if m <= e))
    # Milestones in any order, as PyTorch takes them (it counts them); a repeated one drops the rate twice.
    _check(S.MultiStepLR(0.1, [20, 3, 7, 3], gamma=0.5),
           lambda e: 0.1 * 0.5 ** sum(1 for m in (3, 3, 7, 20) if m <= e))


def test_exponential_lr():
    _check(S.ExponentialLR(0.1, 0.9), lambda e: 0.1 * 0.9 ** e)


def test_cosine_annealing_lr():
    _check(S.CosineAnnealingLR(0.1, T_max=20, eta_min=0.01),
           lambda e: 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * e / 20)) / 2, steps=range(0, 21))


@pytest.mark.parametrize("t_mult", [1, 2])
def test_cosine_annealing_warm_restarts(t_mult):
    def formula(e, t0=5, eta_min=0.001):
        if t_mult == 1:
            t_cur, t_i = e % t0, t0
        else:
            n = int(math.log(e / t0 * (t_mult - 1) + 1, t_mult))
            t_cur = e - t0 * (t_mult ** n - 1) / (t_mult - 1)
            t_i = t0 * t_mult ** n
        return eta_min + (0.1 - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2

    _check(S.CosineAnnealingWarmRestarts(0.1, T_0=5, T_mult=t_mult, eta_min=0.001), formula, steps=range(0, 60),
           tolerance=1e-10)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_lr(strategy):
    initial = 1.0 / 25
    minimum = initial / 1e4
    up_end = 0.3 * 100 - 1
    down_end = 100 - 1

    def anneal_between(start, end, pct):
        if strategy == "cos":
            return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def formula(s):
        if s <= up_end:
            return anneal_between(initial, 1.0, s / up_end)
        return anneal_between(1.0, minimum, (s - up_end) / (down_end - up_end))

    schedule = S.OneCycleLR(1.0, 100, anneal_strategy=strategy)
    assert schedule.unit == "update"
    _check(schedule, formula, steps=range(0, 100), tolerance=1e-10)


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr(mode):
    def formula(s, base=0.01, top=0.1, up=5, down=3, gamma=0.99):
        total = up + down
        cycle = math.floor(1 + s / total)
        x = 1 + s / total - cycle
        ratio = up / total
        scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        if mode == "triangular":
            factor = 1.0
        elif mode == "triangular2":
            factor = 1 / 2.0 ** (cycle - 1)
        else:
            factor = gamma ** s
        return base + (top - base) * scale * factor

    schedule = S.CyclicLR(0.01, 0.1, step_size_up=5, step_size_down=3, mode=mode, gamma=0.99)
    _check(schedule, formula, steps=range(0, 40), tolerance=1e-10)


def test_linear_lr_warmup():
    _check(S.LinearLR(0.1), lambda e: 0.1 * (1 / 3 + (1 - 1 / 3) * min(e, 5) / 5), steps=range(0, 10))
    _check(S.LinearLR(0.1, start_factor=0.5, end_factor=0.1, total_iters=4),
           lambda e: 0.1 * (0.5 + (0.1 - 0.5) * min(e, 4) / 4), steps=range(0, 10))


def test_sequential_lr_restarts_the_next_schedule_at_its_milestone():
    warmup = S.LinearLR(0.1, start_factor=0.1, total_iters=5)
    decay = S.ExponentialLR(0.1, 0.9)
    chained = S.SequentialLR([warmup, decay], milestones=[5])
    del warmup, decay  # the library copied them
    _check(chained, lambda e: 0.1 * (0.1 + 0.9 * e / 5) if e < 5 else 0.1 * 0.9 ** (e - 5), steps=range(0, 20))
    assert chained.unit == "epoch"


def test_default_units():
    epoch = [S.StepDecay(), S.TutorialCompoundingDecay(0.1, 0.01), S.StepLR(0.1, 3), S.MultiStepLR(0.1, [2]),
             S.ExponentialLR(0.1, 0.9), S.CosineAnnealingLR(0.1, 10), S.CosineAnnealingWarmRestarts(0.1, 5),
             S.LinearLR(0.1)]
    update = [S.TimeDecay(0.1, 0.01), S.Constant(0.1), S.ExponentialDecay(0.1, 10, 0.5),
              S.InverseTimeDecay(0.1, 10, 0.5), S.PiecewiseConstantDecay([1], [0.1, 0.01]),
              S.PolynomialDecay(0.1, 10), S.CosineDecay(0.1, 10), S.CosineDecayRestarts(0.1, 10),
              S.OneCycleLR(0.1, 10), S.CyclicLR(0.01, 0.1)]
    assert [s.unit for s in epoch] == ["epoch"] * len(epoch)
    assert [s.unit for s in update] == ["update"] * len(update)


def test_unit_override():
    assert S.StepLR(0.1, 3, unit="update").unit == "update"
    assert S.ExponentialDecay(0.1, 10, 0.5, unit="epoch").unit == "epoch"
    with pytest.raises(ValueError, match="unit"):
        S.StepLR(0.1, 3, unit="year")


@pytest.mark.parametrize("make, argument", [
    (lambda: S.ExponentialDecay(0.1, 0, 0.5), "decay"),
    (lambda: S.ExponentialDecay(-0.1, 10, 0.5), "-0.1"),
    (lambda: S.InverseTimeDecay(0.1, 0, 0.5), "decay"),
    (lambda: S.PiecewiseConstantDecay([1, 2], [1.0]), "length"),
    (lambda: S.PiecewiseConstantDecay([5, 2], [1.0, 2.0, 3.0]), "increasing"),
    (lambda: S.PolynomialDecay(0.1, 0), "decay"),
    (lambda: S.CosineDecay(0.1, 0), "decay"),
    (lambda: S.StepLR(0.1, 0), "step"),
    (lambda: S.ExponentialLR(0.1, -1.0), "gamma"),
    (lambda: S.CosineAnnealingWarmRestarts(0.1, 0), "0"),
    (lambda: S.CosineAnnealingWarmRestarts(0.1, 5, 0), "ult"),
    (lambda: S.OneCycleLR(0.1, 0), "otal"),
    (lambda: S.OneCycleLR(0.1, 100, pct_start=1.5), "1.5"),
    (lambda: S.OneCycleLR(0.1, 100, anneal_strategy="x"), "anneal_strategy"),
    (lambda: S.CyclicLR(0.1, 1.0, mode="x"), "mode"),
    (lambda: S.LinearLR(0.1, start_factor=0), "tart"),
    (lambda: S.LinearLR(0.1, start_factor=2), "tart"),
    (lambda: S.SequentialLR([S.StepLR(0.1, 5), S.ExponentialDecay(0.1, 10, 0.5)], [3]), "unit"),
    (lambda: S.SequentialLR([S.StepLR(0.1, 5), S.StepLR(0.1, 5)], [3, 4]), "milestones"),
    (lambda: S.StepDecay(0.1, 0.5, 0), "rop"),
    (lambda: S.TimeDecay(0.1, -1), "decay"),
    (lambda: S.Constant(float("nan")), "nan"),
])
def test_bad_arguments_raise_value_error_naming_them(make, argument):
    with pytest.raises(ValueError, match=argument):
        make()


def test_messages_name_this_package_s_arguments():
    with pytest.raises(ValueError, match=r"^initial_learning_rate must be .* Received: initial_learning_rate=-1.0$"):
        S.ExponentialDecay(-1.0, 10, 0.5)
    with pytest.raises(ValueError, match=r"^T_max must be positive. Received: T_max=0$"):
        S.CosineAnnealingLR(0.1, 0)
    with pytest.raises(ValueError, match=r"^max_lr must be "):
        S.OneCycleLR(float("inf"), 10)
    with pytest.raises(ValueError, match=r"^decay_steps must be positive. Received: decay_steps=0$"):
        S.ExponentialDecay(0.1, 0, 0.5)


def test_library_errors_are_anneal_errors():
    with pytest.raises(InvalidArgumentError):
        S.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(anneal.AnnealError):
        S.StepLR(0.1, 0)


def test_sequential_takes_only_anneal_schedules():
    with pytest.raises(TypeError, match="SequentialLR"):
        S.SequentialLR([lambda epoch: 0.1], [])


def test_bad_steps():
    schedule = S.StepLR(0.1, 5)
    with pytest.raises(ValueError, match="step"):
        schedule(-1)
    with pytest.raises(ValueError, match="step"):
        schedule(2 ** 40)
    with pytest.raises(TypeError, match="step"):
        schedule("a")
    assert schedule(3) == 0.1


def test_config_and_repr():
    schedule = S.ExponentialDecay(0.1, 10, 0.5)
    assert schedule.get_config() == {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5,
                                     "staircase": False}
    assert repr(schedule).startswith("ExponentialDecay(initial_learning_rate=0.1")


def test_sgd_with_a_per_update_schedule():
    schedule = S.ExponentialDecay(0.1, 3, 0.5)
    x, y = small_data(rows=20, features=3)
    anneal.utils.set_random_seed(3)
    model = small_model(features=3)
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=schedule), metrics=["accuracy"])
    assert model.optimizer.learning_rate == pytest.approx(0.1)
    rates = []
    for _ in range(4):
        rates.append(model.optimizer.learning_rate)
        model.fit(x, y, batch_size=10, epochs=1, verbose=0, shuffle=False)  # two updates
    assert model.optimizer.iterations == 8
    assert_close(rates, [schedule(s) for s in (0, 2, 4, 6)], RATE_TOLERANCE, "scheduled base rate")
    assert model.optimizer.effective_learning_rate == pytest.approx(schedule(8), rel=1e-6)


def test_sgd_with_an_epoch_schedule_is_refused():
    x, y = small_data(rows=20, features=3)
    model = small_model(features=3)
    with pytest.raises(ValueError, match="unit|epoch|update"):
        model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=S.StepLR(0.1, 3)))
        model.fit(x, y, epochs=1, verbose=0)


def test_epoch_schedule_object_in_learning_rate_scheduler():
    x, y = small_data(rows=20, features=3)
    model = small_model(features=3)
    history = model.fit(x, y, epochs=6, batch_size=20, verbose=0,
                        callbacks=[anneal.callbacks.LearningRateScheduler(S.StepLR(0.1, 2, 0.5))])
    assert_close(history.history["lr"], [0.1, 0.1, 0.05, 0.05, 0.025, 0.025], RATE_TOLERANCE, "lr")
