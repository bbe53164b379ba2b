"""Keras's files (through h5py): `load_model` of Keras 2 `.h5` files and `.keras` archives, `load_weights` of
`.weights.h5` and `.h5`, each reproducing expected.json's predictions (Keras's own, first 8 ionosphere rows)
within 1e-6; a legacy optimizer's state from `.h5`; and `model.save(path, save_format="h5")` writing the
structure tf_keras writes (groups, attributes, dataset names and shapes), which reads back to the same
predictions. That tf_keras itself loads Anneal's file is checked by `Tests/Golden/keras_reads_anneal_h5.py`
(tf_keras is not a test dependency); its recorded result is fixtures/keras_files/keras_reads_anneal.json."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import json
import os

import pytest

from anneal.errors import ShapeMismatchError
from anneal.layers import Dense
from anneal.models import Sequential, load_model
from helpers import HERE, require_h5py

FILES = os.path.join(HERE, "fixtures", "keras_files")
MODELS = ("tutorial_sgd", "dropout_adam_softmax")
PREDICTION_TOLERANCE = 1e-6


def _expected(name):
    with open(os.path.join(FILES, "expected.json")) as handle:
        return json.load(handle)["models"][name]


def _first_rows():
    import numpy as np
    from anneal.datasets import ionosphere

    x, _, _ = ionosphere()
    return np.asarray(x, dtype=np.float32)[:8]


def _check_predictions(model, name):
    import numpy as np

    predictions = np.asarray(model.predict(_first_rows(), verbose=0))
    expected = np.asarray(_expected(name)["predict_first_8_rows"])
    assert predictions.shape == expected.shape
    assert float(np.abs(predictions - expected).max()) <= PREDICTION_TOLERANCE


def _structure(path):
    """Every group and dataset of an HDF5 file: name -> (kind, shape, dtype kind, sorted attribute names)."""
    h5py = require_h5py()
    items = {}
    with h5py.File(path, "r") as file:
        items["/"] = ("group", None, None, sorted(file.attrs.keys()))

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                items[name] = ("dataset", obj.shape, obj.dtype.kind, sorted(obj.attrs.keys()))
            else:
                items[name] = ("group", None, None, sorted(obj.attrs.keys()))
        file.visititems(visit)
    return items


@pytest.mark.parametrize("name,suffix", [(name, suffix) for name in MODELS for suffix in (".h5", ".keras")])
def test_load_model_reproduces_keras_predictions(name, suffix):
    require_h5py()
    model = load_model(os.path.join(FILES, name + suffix))
    _check_predictions(model, name)
    expected = _expected(name)
    # Every layer, Dropout included, with Keras's names: (name, class, units, activation, rate).
    assert [(layer.name, type(layer).__name__, getattr(layer, "units", None), getattr(layer, "activation", None),
             getattr(layer, "rate", None)) for layer in model.layers] == [tuple(layer) for layer in expected["summary_layers"]]
    assert type(model.optimizer).__name__ == expected["optimizer"]["name"]
    assert model.loss == expected["loss"]


def test_h5_restores_the_legacy_optimizer_state():
    require_h5py()
    model = load_model(os.path.join(FILES, "tutorial_sgd.h5"))
    # 5 epochs of 351 rows in batches of 28: 13 updates each.
    assert model.optimizer.iterations == 65
    assert model.optimizer.momentum == pytest.approx(0.8) and model.optimizer.decay == pytest.approx(0.002)
    adam = load_model(os.path.join(FILES, "dropout_adam_softmax.h5"))
    assert adam.optimizer.iterations == 55  # 5 epochs of 11 batches of 32
    # compile=False: architecture and weights only.
    plain = load_model(os.path.join(FILES, "tutorial_sgd.h5"), compile=False)
    assert plain.optimizer is None
    _check_predictions(plain, "tutorial_sgd")


@pytest.mark.parametrize("name,suffix", [(name, suffix) for name in MODELS for suffix in (".weights.h5", ".h5")])
def test_load_weights_reads_keras_weights(name, suffix):
    require_h5py()
    expected = _expected(name)
    dense = [layer for layer in expected["summary_layers"] if layer[1] == "Dense"]
    model = Sequential()
    for index, layer in enumerate(dense):
        model.add(Dense(layer[2], activation=layer[3], input_dim=34 if index == 0 else None))
    model.load_weights(os.path.join(FILES, name + suffix))
    _check_predictions(model, name)


@pytest.mark.parametrize("name", MODELS)
def test_save_h5_matches_keras_structure_and_reads_back(tmp_path, name):
    h5py = require_h5py()
    model = load_model(os.path.join(FILES, name + ".h5"))
    path = os.path.join(str(tmp_path), name + ".h5")
    model.save(path)  # the .h5 suffix picks Keras's format
    written, keras = _structure(path), _structure(os.path.join(FILES, name + ".h5"))
    assert written == keras
    with h5py.File(path, "r") as file, h5py.File(os.path.join(FILES, name + ".h5"), "r") as original:
        theirs = [layer for layer in json.loads(original.attrs["model_config"])["config"]["layers"]
                  if layer["class_name"] == "Dropout"]
        ours = [layer for layer in json.loads(file.attrs["model_config"])["config"]["layers"]
                if layer["class_name"] == "Dropout"]
        assert ours == theirs  # Keras's Dropout config, key for key
    with h5py.File(path, "r") as file, h5py.File(os.path.join(FILES, name + ".h5"), "r") as original:
        theirs = json.loads(original.attrs["training_config"])
        ours = json.loads(file.attrs["training_config"])
        assert ours["loss"] == theirs["loss"]
        assert ours["optimizer_config"]["class_name"] == theirs["optimizer_config"]["class_name"]
        for key, value in theirs["optimizer_config"]["config"].items():
            if isinstance(value, float):
                assert ours["optimizer_config"]["config"][key] == pytest.approx(value), key
            else:
                assert ours["optimizer_config"]["config"][key] == value, key
        names = [n.decode() if isinstance(n, bytes) else n for n in original["optimizer_weights"].attrs["weight_names"]]
        ours_names = [n.decode() if isinstance(n, bytes) else n for n in file["optimizer_weights"].attrs["weight_names"]]
        assert ours_names == names
        for weight in names:
            assert (file["optimizer_weights"][weight][()] == original["optimizer_weights"][weight][()]).all()
    again = load_model(path)
    _check_predictions(again, name)
    assert again.optimizer.iterations == model.optimizer.iterations
    model.save(os.path.join(str(tmp_path), "explicit"), save_format="h5")
    _check_predictions(load_model(os.path.join(str(tmp_path), "explicit")), name)


def test_save_h5_names_the_layers_as_keras_named_them(tmp_path):
    require_h5py()
    import h5py

    import anneal

    anneal.backend.clear_session()
    model = Sequential([Dense(4, input_dim=3), Dense(2, name="scores"), Dense(1)])
    path = os.path.join(str(tmp_path), "named.h5")
    model.save(path)
    with h5py.File(path, "r") as file:
        names = [n.decode() if isinstance(n, bytes) else n for n in file["model_weights"].attrs["layer_names"]]
        config = json.loads(file.attrs["model_config"])
    assert names == ["dense", "scores", "dense_1"]
    assert config["config"]["name"] == "sequential"
    assert [layer["config"]["name"] for layer in config["config"]["layers"]] == ["dense_input", *names]
    assert [layer.name for layer in load_model(path).layers] == names


def test_dropout_goes_to_h5_and_back(tmp_path):
    h5py = require_h5py()
    import numpy as np

    import anneal
    from anneal.layers import Dropout

    anneal.backend.clear_session()
    model = Sequential([Dense(6, input_dim=34, activation="relu"), Dropout(0.3, seed=7), Dense(4, activation="tanh"),
                        Dropout(0.125), Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="adam")
    path = os.path.join(str(tmp_path), "dropout.h5")
    model.save(path)
    with h5py.File(path, "r") as file:
        config = json.loads(file.attrs["model_config"])["config"]["layers"]
        names = [n.decode() if isinstance(n, bytes) else n for n in file["model_weights"].attrs["layer_names"]]
        assert len(file["model_weights"]["dropout"].attrs["weight_names"]) == 0
    assert names == ["dense", "dropout", "dense_1", "dropout_1", "dense_2"]
    assert [(layer["class_name"], layer["config"].get("rate"), layer["config"].get("seed")) for layer in config[1:]] == [
        ("Dense", None, None), ("Dropout", 0.3, 7), ("Dense", None, None), ("Dropout", 0.125, None),
        ("Dense", None, None)]
    again = load_model(path)
    assert [(type(layer).__name__, layer.name, getattr(layer, "rate", None), getattr(layer, "seed", None))
            for layer in again.layers] == [("Dense", "dense", None, None), ("Dropout", "dropout", 0.3, 7),
                                           ("Dense", "dense_1", None, None), ("Dropout", "dropout_1", 0.125, None),
                                           ("Dense", "dense_2", None, None)]
    rows = _first_rows()
    assert np.array_equal(np.asarray(again.predict(rows, verbose=0)), np.asarray(model.predict(rows, verbose=0)))


def test_activation_layers_go_to_h5_as_layers(tmp_path):
    # A LeakyReLU's slope must reach Keras: folded into its Dense as the "leaky_relu" string it would be
    # tf_keras's 0.2. Activation and LeakyReLU layers are written as Keras's layers after a linear Dense.
    h5py = require_h5py()
    import numpy as np

    import anneal
    from anneal.layers import Activation, LeakyReLU

    anneal.backend.clear_session()
    model = Sequential([Dense(6, input_dim=34), LeakyReLU(alpha=0.1), Dense(1), Activation("sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    path = os.path.join(str(tmp_path), "activations.h5")
    model.save(path)
    with h5py.File(path, "r") as file:
        config = json.loads(file.attrs["model_config"])["config"]["layers"]
        names = [n.decode() if isinstance(n, bytes) else n for n in file["model_weights"].attrs["layer_names"]]
    assert names == ["dense", "leaky_re_lu", "dense_1", "activation"]
    assert [(layer["class_name"], layer["config"].get("activation"), layer["config"].get("alpha"))
            for layer in config[1:]] == [("Dense", "linear", None), ("LeakyReLU", None, 0.1), ("Dense", "linear", None),
                                         ("Activation", "sigmoid", None)]
    again = load_model(path)
    assert [(type(layer).__name__, layer.name) for layer in again.layers] == \
        [(type(layer).__name__, layer.name) for layer in model.layers]
    assert again.layers[1].alpha == pytest.approx(0.1)
    rows = _first_rows()
    assert np.array_equal(np.asarray(again.predict(rows, verbose=0)), np.asarray(model.predict(rows, verbose=0)))


def test_weighted_metrics_go_to_h5_and_back(tmp_path):
    h5py = require_h5py()
    import anneal

    anneal.backend.clear_session()
    model = Sequential([Dense(4, input_dim=34, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"],
                  weighted_metrics=["accuracy", "mae"])
    path = os.path.join(str(tmp_path), "weighted.h5")
    model.save(path)
    with h5py.File(path, "r") as file:
        training = json.loads(file.attrs["training_config"])
    # Keras's training_config, per output: each metric a name or a serialized metric object (a function as
    # tf_keras's MeanMetricWrapper), a weighted one under the name it logs.
    def names(entries):
        return [entry if isinstance(entry, str) else entry["config"]["name"] for entry in entries]

    assert [names(entries) for entries in training["metrics"]] == [["accuracy"]]
    assert [names(entries) for entries in training["weighted_metrics"]] == [["weighted_accuracy", "mae"]]
    again = load_model(path)
    rows = _first_rows()
    again.evaluate(rows, [0.0] * len(rows), verbose=0)
    assert again.metrics_names == ["loss", "accuracy", "weighted_accuracy", "mae"]


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_keras_files_weighted_metrics_load_and_evaluate_as_keras(suffix):
    # Written by tf_keras 2.21 (see the fixtures' README), with its evaluate on all rows recorded there.
    require_h5py()
    from helpers import ionosphere

    model = load_model(os.path.join(FILES, "weighted_metrics" + suffix))
    x, y, _ = ionosphere()
    got = model.evaluate(x, y, sample_weight=[1.0 + row % 3 for row in range(len(x))], verbose=0, return_dict=True)
    keras = {"loss": 1.3674302101135254, "accuracy": 0.6495726704597473, "weighted_accuracy": 0.6524216532707214,
             "auc": 0.4749206304550171, "mae": 0.47426551580429077}
    assert list(got) == list(keras)
    for key, value in keras.items():
        assert got[key] == pytest.approx(value, abs=1e-5), key


def test_gelu_approximate_is_refused_by_keras_files(tmp_path):
    require_h5py()
    model = Sequential([Dense(4, input_dim=34, activation="gelu_approximate"), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match="approximate=True"):
        model.save(os.path.join(str(tmp_path), "gelu.h5"))


def test_keras_dropout_with_noise_shape_is_refused(tmp_path):
    h5py = require_h5py()
    import shutil

    path = os.path.join(str(tmp_path), "noise.h5")
    shutil.copy(os.path.join(FILES, "dropout_adam_softmax.h5"), path)
    with h5py.File(path, "r+") as file:
        config = json.loads(file.attrs["model_config"])
        for layer in config["config"]["layers"]:
            if layer["class_name"] == "Dropout":
                layer["config"]["noise_shape"] = [None, 1]
        file.attrs["model_config"] = json.dumps(config)
    with pytest.raises(ValueError, match=r"noise_shape=\[None, 1\]"):
        load_model(path)


def test_tf_keras_read_anneals_h5():
    """The recorded run of Tests/Golden/keras_reads_anneal_h5.py: tf_keras loaded Anneal's .h5 files."""
    with open(os.path.join(FILES, "keras_reads_anneal.json")) as handle:
        recorded = json.load(handle)
    for name in MODELS:
        result = recorded["models"][name]
        assert result["max_abs_prediction_difference"] <= PREDICTION_TOLERANCE
        assert result["tf_keras_iterations"] == result["anneal_iterations_before_epoch"]
        # tf_keras read every layer as Anneal wrote it, Dropout with its rate and seed.
        assert result["tf_keras_layers"] == result["anneal_layers"]
        if "Dropout" in [layer[0] for layer in result["tf_keras_layers"]]:
            assert "max_abs_weight_difference_after_one_more_epoch" not in result  # masks cannot agree
        else:
            assert result["max_abs_weight_difference_after_one_more_epoch"] <= 1e-6
    seeded = recorded["dropout_seeded"]
    assert seeded["max_abs_prediction_difference"] <= PREDICTION_TOLERANCE
    assert seeded["tf_keras_layers"] == seeded["anneal_layers"]
    assert ["Dropout", "dropout", 0.3, 7] in seeded["tf_keras_layers"]
    folded = recorded["activation_layers"]
    assert folded["max_abs_prediction_difference"] <= PREDICTION_TOLERANCE
    assert folded["tf_keras_layers"] == folded["anneal_layers"]
    assert ["LeakyReLU", "leaky_re_lu", 0.1] in folded["tf_keras_layers"]
    # Metric objects with their names and parameters (AUC curve and thresholds, Precision's threshold, Recall's
    # top_k, BinaryAccuracy's threshold, a multi-label AUC's label weights, names given as strings): tf_keras
    # compiled them from the file and evaluated the same values under the same names.
    metric_objects = recorded["metric_objects"]
    assert metric_objects["max_abs_prediction_difference"] <= PREDICTION_TOLERANCE
    assert metric_objects["tf_keras_metrics_names"] == metric_objects["anneal_metrics_names"]
    assert [kind for kind, _ in metric_objects["tf_keras_metrics"]] == [
        "MeanMetricWrapper", "AUC", "Precision", "Recall", "BinaryAccuracy", "AUC", "MeanMetricWrapper"]
    assert metric_objects["max_abs_evaluate_difference"] <= 1e-6
    # Every other legacy optimizer: tf_keras restored its state (11 updates of one epoch), so the next epoch
    # agreed; a lost state (moments back at zero, accumulators back at their start) differs by far more.
    assert len(recorded["optimizers"]) == 7
    for label, result in recorded["optimizers"].items():
        assert result["tf_keras_optimizer"].startswith("tf_keras.src.optimizers.legacy."), label
        assert result["tf_keras_iterations"] == 11, label
        assert result["max_abs_prediction_difference"] <= PREDICTION_TOLERANCE, label
        assert result["max_abs_weight_difference_after_one_more_epoch"] <= 1e-6, label


def test_keras_file_errors():
    require_h5py()
    with pytest.raises(Exception, match="tutorial_sgd.weights.h5"):
        load_model(os.path.join(FILES, "tutorial_sgd.weights.h5"))


def test_load_weights_of_another_models_keras_file_names_the_file():
    require_h5py()
    path = os.path.join(FILES, "tutorial_sgd.weights.h5")  # 34-34-1: 4 weights
    deeper = Sequential([Dense(34, input_dim=34), Dense(3), Dense(1)])
    with pytest.raises(ShapeMismatchError) as info:
        deeper.load_weights(path)
    assert str(info.value).startswith(f"{path}: the Keras file holds 4 weights"), str(info.value)
    assert "the model has 6 weights" in str(info.value)
    wider = Sequential([Dense(35, input_dim=34), Dense(1)])
    with pytest.raises(ValueError) as info:
        wider.load_weights(path)
    assert str(info.value).startswith(f"{path}: "), str(info.value)


def test_what_a_keras_file_describes_and_anneal_cannot_make_names_the_file(tmp_path):
    require_h5py()
    import shutil

    import h5py
    path = str(tmp_path / "orthogonal.h5")
    shutil.copy(os.path.join(FILES, "tutorial_sgd.h5"), path)
    with h5py.File(path, "r+") as file:
        config = json.loads(file.attrs["model_config"])
        dense = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Dense")
        dense["config"]["kernel_initializer"] = {"class_name": "Orthogonal", "config": {}}
        file.attrs["model_config"] = json.dumps(config)
    with pytest.raises(ValueError, match="Orthogonal") as info:
        load_model(path)
    assert str(info.value).startswith(f"{path}: ")


def test_missing_h5py_is_an_import_error_saying_how_to_install_it():
    import importlib
    import sys

    import anneal

    saved = {name: sys.modules.get(name) for name in ("h5py", "anneal._keras_files")}
    attribute = anneal.__dict__.pop("_keras_files", None)  # else `from . import _keras_files` reuses it
    sys.modules["h5py"] = None  # import h5py now raises ImportError
    sys.modules.pop("anneal._keras_files", None)
    try:
        with pytest.raises(ImportError, match=r"pip install anneal\[h5\]"):
            importlib.import_module("anneal._keras_files")
        with pytest.raises(ImportError, match=r"pip install anneal\[h5\]"):
            load_model(os.path.join(FILES, "tutorial_sgd.h5"))
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        if attribute is not None:
            anneal._keras_files = attribute
