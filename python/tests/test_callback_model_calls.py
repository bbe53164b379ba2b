"""A fit is one call of the library's fit loop, which calls Python's callbacks from inside it: the library's
batch and poll events (anneal_session_fit_events), the model called from a hook (weights, learning rate,
save, evaluate, predict, train_on_batch) giving the bits it gives between fits, Keras's order of built-in and
user callbacks, stop_training from any hook, and exceptions raised in a hook."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import ctypes

import pytest

import anneal
from anneal import _arrays, _codes, _lib, models
from anneal.callbacks import Callback, LambdaCallback, LearningRateScheduler
from anneal.errors import InvalidStateError
from helpers import flatten, small_data, small_model, to_list

FIT = dict(batch_size=7, validation_split=0.25, shuffle=False, verbose=0)


def _events(model, x, y, epochs, mask, poll_seconds=0.0, answers=None):
    """anneal_session_fit_events over a fresh session with a recording callback: (status, events seen)."""
    seen = []
    answers = answers or {}

    def record(_user_data, _model, event, index, keys, values, count):
        seen.append((event, index, [keys[i].decode() for i in range(count)]))
        return answers.get((event, index), 0)

    session = models._Session(model._live_handle(), _arrays.as_matrix(x, "x"), _arrays.as_matrix(y, "y"), 10, 0.0,
                              None, False, 1)
    history = ctypes.c_void_p()
    function = _lib.anneal_epoch_callback(record)
    try:
        status = _lib.anneal_session_fit_events(session.handle, epochs, 0, None, 0, function, None, mask,
                                                poll_seconds, ctypes.byref(history))
    finally:
        _lib.anneal_history_free(history)
        session.close()
    return status, seen


def test_the_library_sends_batch_events_in_keras_order():
    x, y = small_data(rows=20)
    every = _codes.ANNEAL_EVENTS_EPOCH | _codes.ANNEAL_EVENTS_BATCH | _codes.ANNEAL_EVENTS_POLL
    status, seen = _events(small_model(), x, y, 2, every)
    assert status == _codes.ANNEAL_OK
    running = ["loss", "accuracy"]
    one_epoch = [(_codes.ANNEAL_EVENT_BATCH_BEGIN, 0, []), (_codes.ANNEAL_EVENT_BATCH_END, 0, running),
                 (_codes.ANNEAL_EVENT_BATCH_BEGIN, 1, []), (_codes.ANNEAL_EVENT_BATCH_END, 1, running)]
    first = [(_codes.ANNEAL_EVENT_EPOCH_BEGIN, 0, [])] + one_epoch + [(_codes.ANNEAL_EVENT_EPOCH_END, 0, running)]
    second = [(_codes.ANNEAL_EVENT_EPOCH_BEGIN, 1, [])] + one_epoch + [(_codes.ANNEAL_EVENT_EPOCH_END, 1, running)]
    assert seen == first + [(_codes.ANNEAL_EVENT_POLL, 0, [])] + second


def test_the_library_sends_only_the_events_asked_for():
    x, y = small_data(rows=20)
    assert _events(small_model(), x, y, 2, _codes.ANNEAL_EVENTS_EPOCH)[1] == [
        (_codes.ANNEAL_EVENT_EPOCH_BEGIN, 0, []), (_codes.ANNEAL_EVENT_EPOCH_END, 0, ["loss", "accuracy"]),
        (_codes.ANNEAL_EVENT_EPOCH_BEGIN, 1, []), (_codes.ANNEAL_EVENT_EPOCH_END, 1, ["loss", "accuracy"])]
    assert _events(small_model(), x, y, 4, _codes.ANNEAL_EVENTS_POLL, poll_seconds=3600)[1] == []
    assert [event for event, _, _ in _events(small_model(), x, y, 4, _codes.ANNEAL_EVENTS_POLL)[1]] == [
        _codes.ANNEAL_EVENT_POLL] * 3


def test_a_positive_answer_at_a_batch_end_stops_after_that_batch():
    x, y = small_data(rows=20)
    model = small_model()
    status, seen = _events(model, x, y, 5, _codes.ANNEAL_EVENTS_BATCH | _codes.ANNEAL_EVENTS_EPOCH,
                           answers={(_codes.ANNEAL_EVENT_BATCH_END, 0): 1})
    assert status == _codes.ANNEAL_OK
    assert [event for event, _, _ in seen] == [_codes.ANNEAL_EVENT_EPOCH_BEGIN, _codes.ANNEAL_EVENT_BATCH_BEGIN,
                                               _codes.ANNEAL_EVENT_BATCH_END, _codes.ANNEAL_EVENT_EPOCH_END]
    assert model.optimizer.iterations == 1


def test_bad_events_and_poll_seconds_are_refused():
    x, y = small_data(rows=20)
    model = small_model()
    with pytest.raises(ValueError, match="events"):
        _lib.check(_events(model, x, y, 1, 8)[0])
    with pytest.raises(ValueError, match="poll_seconds"):
        _lib.check(_events(model, x, y, 1, _codes.ANNEAL_EVENTS_POLL, poll_seconds=-1.0)[0])
    assert model.optimizer.iterations == 0


def test_a_fit_without_python_callbacks_polls_python_rarely():
    calls = []

    def probe(self, *args):
        calls.append(args[2])
        return 0

    x, y = small_data(rows=20)
    saved, models._Interrupts.probe = models._Interrupts.probe, probe
    try:
        history = small_model().fit(x, y, epochs=400, batch_size=10, verbose=0)
    finally:
        models._Interrupts.probe = saved
    assert len(history.history["loss"]) == 400
    assert len(calls) < 100 and set(calls) <= {_codes.ANNEAL_EVENT_POLL}


# --- The model called from inside a callback, as between fits ----------------------------------------------
def _steer(model, epoch, other_x, other_y, seen):
    """What the callbacks below do at an epoch's end, and what the reference does between one-epoch fits."""
    seen.append((to_list(model.get_weights()), model.evaluate(other_x, other_y, verbose=0),
                 flatten(model.predict(other_x, verbose=0)), model.optimizer.learning_rate,
                 to_list(model.layers[0].get_weights())))
    model.set_weights([weight * 0.5 for weight in model.get_weights()])
    kernel, bias = model.layers[1].get_weights()
    model.layers[1].set_weights([kernel * 0.9, bias + 0.01])
    model.optimizer.lr = 0.1 / (epoch + 2)
    seen.append(model.train_on_batch(other_x[:5], other_y[:5]))


def test_model_calls_inside_a_callback_give_the_bits_they_give_between_fits():
    numpy = helpers.require_numpy()
    x, y = small_data(rows=40)
    x, y = numpy.array(x, dtype="float32"), numpy.array(y, dtype="float32")
    other_x, other_y = x[::3] * 0.7, y[::3]
    inside, between = [], []

    class Steer(Callback):
        def on_epoch_end(self, epoch, logs=None):
            _steer(self.model, epoch, other_x, other_y, inside)

    model = small_model(momentum=0.5)
    history = model.fit(x, y, epochs=3, callbacks=[Steer()], **FIT)
    reference = small_model(momentum=0.5)
    logs = {}
    for epoch in range(3):
        one = reference.fit(x, y, epochs=epoch + 1, initial_epoch=epoch, **FIT)
        for key, values in one.history.items():
            logs.setdefault(key, []).extend(values)
        _steer(reference, epoch, other_x, other_y, between)
    assert inside == between
    assert history.history == logs
    assert to_list(model.get_weights()) == to_list(reference.get_weights())
    # 30 training rows: 5 batches an epoch, and a train_on_batch.
    assert model.optimizer.iterations == reference.optimizer.iterations == 3 * (5 + 1)


def test_a_callback_saves_the_model_it_trains(tmp_path):
    x, y = small_data(rows=20)
    saved = {}

    class Save(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.save_weights(str(tmp_path / "w.weights"))
                self.model.save(str(tmp_path / "m.anneal"))
                saved["weights"] = to_list(self.model.get_weights())

    small_model().fit(x, y, epochs=3, batch_size=5, verbose=0, callbacks=[Save()])
    fresh = small_model(seed=9)
    fresh.load_weights(str(tmp_path / "w.weights"))
    assert to_list(fresh.get_weights()) == saved["weights"]
    assert to_list(anneal.models.load_model(str(tmp_path / "m.anneal")).get_weights()) == saved["weights"]


def test_batch_hooks_may_read_and_set_weights():
    x, y = small_data(rows=20)
    seen = []

    class Each(Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.model.set_weights(self.model.get_weights())
            seen.append(self.model.evaluate(x, y, verbose=0))

    plain = small_model().fit(x, y, epochs=2, batch_size=5, verbose=0, seed=4)
    hooked = small_model().fit(x, y, epochs=2, batch_size=5, verbose=0, seed=4, callbacks=[Each()])
    assert hooked.history == plain.history and len(seen) == 8


def test_compile_inside_a_callback_is_refused_in_keras_words():
    x, y = small_data(rows=20)
    errors = []

    class Recompile(Callback):
        def on_epoch_end(self, epoch, logs=None):
            for call in (lambda: self.model.compile(loss="mse"), lambda: self.model.build((None, 3))):
                try:
                    call()
                except InvalidStateError as error:
                    errors.append(str(error))

    model = small_model()
    history = model.fit(x, y, epochs=2, batch_size=5, verbose=0, callbacks=[Recompile()])
    assert len(history.history["loss"]) == 2
    assert len(errors) == 4 and all("from a callback while fit() trains this model" in text for text in errors)
    model.compile(loss="mse")  # after fit: allowed


# --- Order, stop_training, exceptions ------------------------------------------------------------------------
def test_built_in_and_user_callbacks_run_in_the_users_order():
    x, y = small_data(rows=20)
    before, after = [], []
    callbacks = [LambdaCallback(on_epoch_end=lambda epoch, logs: before.append(sorted(logs))),
                 LearningRateScheduler(lambda epoch: 0.05),
                 LambdaCallback(on_epoch_end=lambda epoch, logs: after.append(sorted(logs)))]
    history = small_model().fit(x, y, epochs=2, batch_size=5, verbose=0, callbacks=callbacks)
    assert before == [["accuracy", "loss"]] * 2
    assert after == [["accuracy", "loss", "lr"]] * 2
    assert list(history.history) == ["loss", "accuracy", "lr"]


@pytest.mark.parametrize("hook,at,epochs,iterations", [
    ("on_train_batch_begin", 2, [0], 3),  # after that batch
    ("on_epoch_begin", 1, [0, 1], 4 + 1),  # Keras checks the flag after each batch, whatever the hooks
])
def test_stop_training_from_a_begin_hook_ends_after_the_next_batch(hook, at, epochs, iterations):
    def stop(self, index, logs=None):
        if index == at:
            self.model.stop_training = True

    stopper = type("Stopper", (Callback,), {hook: stop})()
    x, y = small_data(rows=20)
    model = small_model()
    history = model.fit(x, y, epochs=5, batch_size=5, verbose=0, callbacks=[stopper])
    assert history.epoch == epochs and model.optimizer.iterations == iterations
    assert model.stop_training


class Failure(Exception):
    pass


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_an_exception_in_a_hook_among_built_ins_comes_out_of_fit(verbose):
    error = Failure("in a batch hook")
    x, y = small_data(rows=20)

    def fail(batch, logs):
        if batch == 1:
            raise error

    model = small_model()
    with pytest.raises(Failure) as info:
        helpers.captured_stdout(model.fit, x, y, epochs=3, batch_size=5, verbose=verbose,
                                callbacks=[LearningRateScheduler(lambda epoch: 0.1), LambdaCallback(on_batch_end=fail)])
    assert info.value is error
    assert model.optimizer.iterations == 2
    assert len(model.fit(x, y, epochs=1, batch_size=5, verbose=0).history["loss"]) == 1
