"""Two threads each training its own model finish with the same histories as sequential runs of the same
seeds (the GIL is released while the library trains); a model busy on one thread refuses another."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import threading

import anneal
from helpers import ionosphere, tutorial_model


def _run(seed, x, y, results, index):
    try:
        model = _models[index]
        history = model.fit(x, y, validation_split=0.33, epochs=50, batch_size=28, verbose=0, seed=seed)
        results[index] = history.history
    except BaseException as error:  # reported by the main thread
        results[index] = error


_models = {}


def _build(seeds):
    for index, seed in enumerate(seeds):
        anneal.utils.set_random_seed(seed)
        _models[index] = tutorial_model("time")


def test_two_threads_match_sequential_runs():
    x, y, _ = ionosphere()
    seeds = (7, 8)
    _build(seeds)
    sequential = {}
    for index, seed in enumerate(seeds):
        _run(seed, x, y, sequential, index)
    _build(seeds)
    parallel = {}
    threads = [threading.Thread(target=_run, args=(seed, x, y, parallel, index)) for index, seed in enumerate(seeds)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for index in range(len(seeds)):
        assert not isinstance(parallel[index], BaseException), parallel[index]
        assert parallel[index] == sequential[index]
    assert sequential[0] != sequential[1]


def test_many_threads_many_models():
    x, y, _ = ionosphere()
    seeds = list(range(1, 7))
    _build(seeds)
    results = {}
    threads = [threading.Thread(target=_run, args=(seed, x, y, results, index)) for index, seed in enumerate(seeds)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(results[i], dict) and len(results[i]["loss"]) == 50 for i in range(len(seeds)))


def test_a_model_in_use_on_another_thread_is_busy_not_broken():
    x, y, _ = ionosphere()
    anneal.utils.set_random_seed(1)
    model = tutorial_model("time")
    results = {}
    _models[0] = model
    thread = threading.Thread(target=lambda: [_run(1, x, y, results, 0) for _ in range(3)])
    thread.start()
    outcomes = set()
    while thread.is_alive():
        try:
            model.predict(x[:4], verbose=0)
            outcomes.add("ok")
        except anneal.errors.BusyError as error:
            assert "busy" in str(error).lower() or "use" in str(error).lower()
            outcomes.add("busy")
    thread.join(120)
    assert not thread.is_alive(), "the training thread did not finish"
    assert outcomes <= {"ok", "busy"}
    assert isinstance(results[0], (dict, anneal.errors.BusyError)), results[0]
    assert len(model.predict(x[:4], verbose=0)) == 4
