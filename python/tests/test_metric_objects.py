"""Metric objects on their own, as Keras uses them: `update_state`, `result`, `reset_state` (and
`reset_states`), `merge_state`, calling the object; computed by the library (anneal_metric) with the formulas
`fit` logs: the same value as `evaluate`, hand-worked values, sample weights, errors in Keras's terms. And
whole-model save keeps each metric object's name and parameters, in Anneal's file and in Keras's `.h5`."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import json
import math
import os

import pytest

from anneal import metrics
from anneal.layers import Dense
from anneal.models import Sequential, load_model
from anneal.optimizers import Adam
from helpers import require_h5py, require_numpy, small_data, to_list, without_numpy

P = [0.9, 0.2, 0.65, 0.4, 0.05, 0.8, 0.5, 0.3]
Y = [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]
SCORES = [[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.2, 0.6], [0.7, 0.1, 0.2]]
ONE_HOT = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]
INDICES = [1, 0, 2, 0]

BINARY = [
    lambda: metrics.BinaryAccuracy(), lambda: metrics.BinaryAccuracy(threshold=0.35), lambda: metrics.Precision(),
    lambda: metrics.Precision(thresholds=0.3), lambda: metrics.Recall(thresholds=[0.7]), lambda: metrics.AUC(),
    lambda: metrics.AUC(num_thresholds=7, curve="PR"), lambda: metrics.RootMeanSquaredError(),
    lambda: metrics.MeanAbsoluteError(), lambda: metrics.MeanSquaredError(),
    lambda: metrics.MeanAbsolutePercentageError(), lambda: metrics.MeanSquaredLogarithmicError(),
    lambda: metrics.LogCoshError(), lambda: metrics.CosineSimilarity(), lambda: metrics.Hinge(),
    lambda: metrics.SquaredHinge(), lambda: metrics.Poisson(), lambda: metrics.KLDivergence(),
]
CATEGORICAL = [
    lambda: metrics.CategoricalAccuracy(), lambda: metrics.TopKCategoricalAccuracy(k=2),
    lambda: metrics.CategoricalHinge(), lambda: metrics.CategoricalCrossentropy(),
]
SPARSE = [
    lambda: metrics.SparseCategoricalAccuracy(), lambda: metrics.SparseTopKCategoricalAccuracy(k=2),
    lambda: metrics.SparseCategoricalCrossentropy(),
]


def _identity_model(units, loss, metric):
    """A model whose outputs are its inputs (identity kernel, linear), compiled with ``metric``."""
    model = Sequential()
    model.add(Dense(units, input_dim=units, use_bias=False))
    model.set_weights([[[1.0 if i == j else 0.0 for j in range(units)] for i in range(units)]])
    model.compile(loss=loss, optimizer="sgd", metrics=[metric])
    return model


def _evaluated(units, loss, metric, x, y):
    values = _identity_model(units, loss, metric).evaluate(x, y, batch_size=len(x), verbose=0)
    return values[1]


def test_every_metric_class_has_update_state_result_and_reset():
    classes = [getattr(metrics, name) for name in metrics.__all__
               if isinstance(getattr(metrics, name), type) and issubclass(getattr(metrics, name), metrics.Metric)
               and getattr(metrics, name) is not metrics.Metric]
    assert len(classes) == 23
    covered = {type(make()) for make in BINARY + CATEGORICAL + SPARSE}
    missing = set(classes) - covered - {metrics.BinaryCrossentropy}
    assert not missing, missing


@pytest.mark.parametrize("index", range(len(BINARY)))
def test_one_output_metrics_give_what_evaluate_logs(index):
    metric = BINARY[index]()
    x, y = [[v] for v in P], [[v] for v in Y]
    if isinstance(metric, metrics.MeanAbsolutePercentageError) or isinstance(metric, metrics.MeanSquaredLogarithmicError):
        y = [[v + 1] for v in Y]
    metric.update_state(y, x)
    assert metric.result() == _evaluated(1, "mse", BINARY[index](), x, y)


@pytest.mark.parametrize("index", range(len(CATEGORICAL)))
def test_categorical_metrics_give_what_evaluate_logs(index):
    metric = CATEGORICAL[index]()
    assert metric(ONE_HOT, SCORES) == _evaluated(3, "categorical_crossentropy", CATEGORICAL[index](), SCORES, ONE_HOT)


@pytest.mark.parametrize("index", range(len(SPARSE)))
def test_sparse_metrics_take_class_indices(index):
    metric = SPARSE[index]()
    value = metric(INDICES, SCORES)
    expected = _evaluated(3, "sparse_categorical_crossentropy", SPARSE[index](), SCORES, [[v] for v in INDICES])
    assert value == pytest.approx(expected, rel=1e-6)


def test_binary_crossentropy_reads_probabilities():
    # On its own the metric reads y_pred as probabilities, as Keras's does.
    value = metrics.BinaryCrossentropy()([[1], [0]], [[0.8], [0.3]])
    assert value == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2, rel=1e-6)


def test_hand_worked_values():
    # ROC AUC of negatives 0.1, 0.4 and positives 0.35, 0.8: 3 of 4 pairs in order.
    assert metrics.AUC()([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75, abs=1e-6)
    # Above 0.3: 0.4 (negative), 0.35, 0.8 (positives).
    assert metrics.Precision(thresholds=0.3)([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(2 / 3, rel=1e-7)
    assert metrics.Recall()([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.5
    assert metrics.BinaryAccuracy(threshold=0.3)([[1], [0]], [[0.35], [0.31]]) == 0.5
    assert metrics.TopKCategoricalAccuracy(k=1)(ONE_HOT, SCORES) == 0.75  # rows 0, 1 and 2 right
    assert metrics.RootMeanSquaredError()([[1, 2], [3, 4]], [[1, 2], [3, 6]]) == 1.0
    assert metrics.MeanAbsoluteError()([[1, 2]], [[2, 4]]) == 1.5


def test_accumulates_resets_and_calls():
    auc = metrics.AUC(num_thresholds=50)
    auc.update_state(Y[:3], P[:3])
    auc.update_state(Y[3:], P[3:])
    whole = metrics.AUC(num_thresholds=50)
    whole.update_state(Y, P)
    assert auc.result() == whole.result()
    assert auc.result().numpy() == pytest.approx(float(whole.result()))
    assert isinstance(auc.result(), float)
    auc.reset_state()
    assert auc.result() == 0.0
    auc.update_state([1, 0], [0.9, 0.1])
    assert auc.result() == 1.0
    auc.reset_states()
    assert auc.result() == 0.0
    assert metrics.Precision().result() == 0.0  # before any update


def test_merge_state_adds_the_others():
    first, second, whole = metrics.AUC(curve="PR"), metrics.AUC(curve="PR"), metrics.AUC(curve="PR")
    first.update_state(Y[:5], P[:5])
    second.update_state(Y[5:], P[5:])
    whole.update_state(Y, P)
    first.merge_state([second])
    assert first.result() == whole.result()
    with pytest.raises(ValueError, match="same parameters"):
        first.merge_state([metrics.AUC()])
    with pytest.raises(ValueError, match="list of metrics"):
        first.merge_state([3])


def test_sample_weight_as_keras():
    # Rows right, wrong, right weighted 1, 3, 0.5.
    assert metrics.BinaryAccuracy()([[1], [0], [0]], [[0.7], [0.6], [0.2]], sample_weight=[1, 3, 0.5]) == \
        pytest.approx(1.5 / 4.5, rel=1e-6)
    assert metrics.MeanAbsoluteError()([[1], [2]], [[2], [4]], sample_weight=[2, 1]) == pytest.approx(4 / 3, rel=1e-6)
    assert metrics.MeanAbsoluteError()([[1], [2]], [[2], [4]], sample_weight=2.0) == 1.5  # a number weighs all
    assert metrics.Precision()([1, 0, 1], [0.9, 0.6, 0.1], sample_weight=[2, 1, 5]) == pytest.approx(2 / 3, rel=1e-6)
    with pytest.raises(ValueError, match="one weight per sample"):
        metrics.Precision().update_state([1, 0], [0.9, 0.6], sample_weight=[1, 2, 3])
    with pytest.raises(ValueError, match=r"sample_weight\[0\]"):
        metrics.Precision().update_state([1, 0], [0.9, 0.6], sample_weight=[-1, 2])


def test_bad_input_is_a_value_error_in_keras_terms():
    with pytest.raises(ValueError, match="expected 2 rows"):
        metrics.AUC().update_state([1, 0, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="one class index per sample"):
        metrics.SparseCategoricalAccuracy().update_state(ONE_HOT, SCORES)
    with pytest.raises(ValueError, match="not a class index"):
        metrics.SparseCategoricalCrossentropy().update_state([3, 0, 0, 0], SCORES)
    with pytest.raises(ValueError, match="not a finite number"):
        metrics.AUC().update_state([1], [float("nan")])
    metric = metrics.MeanSquaredError()
    metric.update_state([[1, 2]], [[1, 2]])
    with pytest.raises(ValueError, match="reset it"):
        metric.update_state([[1]], [[1]])
    metric.update_state([], [])  # an empty batch adds nothing, as in Keras
    assert metric.result() == 0.0


def test_numpy_arrays_without_a_copy_and_lists_alike():
    np = require_numpy()
    labels = np.asarray(Y, dtype=np.float32)
    predictions = np.asarray(P, dtype=np.float32).reshape(-1, 1)
    assert metrics.AUC()(labels, predictions) == metrics.AUC()(Y, P)
    assert metrics.AUC()(labels.astype(np.float64), predictions.T.T) == metrics.AUC()(Y, P)
    with without_numpy():
        assert metrics.AUC()(Y, P) == metrics.AUC()(labels.tolist(), predictions.tolist())


# --- Whole-model save ---------------------------------------------------------------------------------------------
def _compiled_model():
    model = Sequential()
    model.add(Dense(6, input_dim=3, activation="tanh", kernel_initializer="normal"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=0.01),
                  metrics=["accuracy", metrics.AUC(curve="PR", num_thresholds=50, name="pr auc"),
                           metrics.Precision(thresholds=0.3), metrics.BinaryAccuracy(threshold=0.7, name="acc70"),
                           metrics.Recall(thresholds=0.6, name="recall,60%"), "mae"])
    return model


def test_model_file_keeps_metric_names_and_parameters(tmp_path):
    x, y = small_data(rows=40)
    model = _compiled_model()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    path = os.path.join(str(tmp_path), "metrics.anneal")
    model.save(path)
    loaded = load_model(path)
    assert loaded.metrics_names == model.metrics_names
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    expected = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    resumed = loaded.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    assert resumed == expected
    assert list(resumed) == ["loss", "accuracy", "pr auc", "precision", "acc70", "recall,60%", "mae"]
    assert to_list(loaded.get_weights()) == to_list(model.get_weights())


def test_h5_keeps_metric_objects(tmp_path):
    h5py = require_h5py()
    x, y = small_data(rows=40)
    model = _compiled_model()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    path = os.path.join(str(tmp_path), "metrics.h5")
    model.save(path)
    with h5py.File(path, "r") as file:
        written = json.loads(file.attrs["training_config"])["metrics"][0]
    # Names as tf_keras writes them, in a MeanMetricWrapper of the function compile resolved.
    assert written[0] == {"class_name": "MeanMetricWrapper",
                          "config": {"name": "accuracy", "dtype": "float32", "fn": "binary_accuracy"}}
    assert written[-1] == {"class_name": "MeanMetricWrapper",
                           "config": {"name": "mae", "dtype": "float32", "fn": "mean_absolute_error"}}
    assert written[1] == {"class_name": "AUC", "config": {
        "name": "pr auc", "dtype": "float32", "num_thresholds": 50, "curve": "PR", "summation_method": "interpolation",
        "multi_label": False, "num_labels": None, "label_weights": None, "from_logits": False}}
    assert written[2] == {"class_name": "Precision", "config": {
        "name": "precision", "dtype": "float32", "thresholds": pytest.approx(0.3), "top_k": None, "class_id": None}}
    assert written[3] == {"class_name": "BinaryAccuracy", "config": {
        "name": "acc70", "dtype": "float32", "threshold": pytest.approx(0.7)}}
    loaded = load_model(path)
    assert loaded.metrics_names == model.metrics_names
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), abs=1e-6)


# --- tf_keras's own metric objects at hand points (Tests/Golden/record_goldens.py, losses.json) -------------------
def _recorded_metrics():
    return helpers.golden("losses")["metrics"]


@pytest.mark.parametrize("index", range(15))
def test_metric_objects_match_tf_keras_update_state_and_result(index):
    recorded = _recorded_metrics()
    assert len(recorded) == 15
    entry = recorded[index]
    batches = helpers.golden("losses")["batches"]
    make = lambda: eval(entry["keras"], {"metrics": metrics})  # noqa: E731  e.g. "metrics.AUC(curve='PR')"
    plain, weighted = make(), make()
    for name in entry["batches"]:
        batch = batches[name]
        plain.update_state(batch["y_true"], batch["y_pred"])
        weighted.update_state(batch["y_true"], batch["y_pred"], sample_weight=batch["sample_weight"])
    # float32 sums in another order than TensorFlow's: a few ulps.
    assert plain.result() == pytest.approx(entry["result"], rel=2e-6, abs=1e-6), entry["name"]
    assert weighted.result() == pytest.approx(entry["weighted_result"], rel=2e-6, abs=1e-6), entry["name"]


# --- Precision and Recall with top_k, class_id and lists of thresholds ----------------------------------------------
# Computed by tf_keras 2.21 (two update_state calls of rows 0-2 and 3-5, then result; again with sample_weight
# W): yp[1][0] == yp[1][2] is a tie, which tf.math.top_k breaks towards the lower index.
YT = [[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0],
      [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0]]
YP = [[0.9186109304428101, 0.48841118812561035, 0.6117438673973083, 0.765907883644104],
      [0.51841801404953, 0.29680049419403076, 0.51841801404953, 0.0807412713766098],
      [0.7384402751922607, 0.44130921363830566, 0.15830986201763153, 0.8799370527267456],
      [0.27408647537231445, 0.41423502564430237, 0.29607993364334106, 0.6287879347801208],
      [0.5798377990722656, 0.5999292135238647, 0.26581913232803345, 0.284685879945755],
      [0.2535881996154785, 0.32756394147872925, 0.1441642940044403, 0.1656128615140915]]
W = [1, 2, 0.5, 0, 1.5, 1]
TF_KERAS = [
    ("Precision(top_k=2)", 0.3333333432674408, 0.2916666567325592),
    ("Recall(top_k=1)", 0.1666666716337204, 0.0833333358168602),
    ("Precision(class_id=3)", 0.6666666865348816, 1.0),
    ("Recall(thresholds=0.4, class_id=0)", 0.0, 0.0),
    ("Precision(thresholds=0.5, top_k=2, class_id=2)", 1.0, 1.0),
    ("Precision(thresholds=[0.2, 0.5, 0.8])", [0.25, 0.30000001192092896, 0.5],
     [0.25641027092933655, 0.3181818127632141, 0.3333333432674408]),
    ("Recall(thresholds=[0.3, 0.6], top_k=2)", [0.6666666865348816, 0.3333333432674408], [0.5833333134651184, 0.25]),
]


@pytest.mark.parametrize("expression,plain,weighted", TF_KERAS)
def test_top_k_class_id_and_threshold_lists_as_tf_keras(expression, plain, weighted):
    metric = eval("metrics." + expression, {"metrics": metrics})
    metric.update_state(YT[:3], YP[:3])
    metric.update_state(YT[3:], YP[3:])
    assert metric.result() == pytest.approx(plain, rel=1e-6)
    metric.reset_state()
    metric.update_state(YT[:3], YP[:3], sample_weight=W[:3])
    metric.update_state(YT[3:], YP[3:], sample_weight=W[3:])
    assert metric.result() == pytest.approx(weighted, rel=1e-6)


def test_top_k_and_class_id_checks():
    assert metrics.Precision(top_k=2).thresholds == -1e10  # Keras's default with top_k
    assert metrics.Precision(top_k=2).get_config()["thresholds"] is None
    with pytest.raises(ValueError, match="top_k"):
        metrics.Precision(top_k=0)
    with pytest.raises(ValueError, match="class_id"):
        metrics.Recall(class_id=-1)
    with pytest.raises(ValueError, match="class_id"):
        metrics.Recall(class_id=4)(YT, YP)
    # A list of thresholds compiles, as Keras's (one value per threshold: test_threshold_lists.py).
    assert _identity_model(4, "categorical_crossentropy", metrics.Precision(thresholds=[0.2, 0.5])).metrics_names == []
    with pytest.raises(ValueError, match="class_id"):
        _identity_model(4, "categorical_crossentropy", metrics.Precision(class_id=4))


def test_top_k_and_class_id_in_fit_save_and_h5(tmp_path):
    model = Sequential()
    model.add(Dense(4, input_dim=4, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate=0.01),
                  metrics=[metrics.Precision(top_k=2), metrics.Recall(thresholds=0.4, class_id=2, name="r2")])
    model.fit(YP, YT, epochs=1, batch_size=4, verbose=0)
    # What fit logs is what the object computes.
    values = model.evaluate(YP, YT, batch_size=6, verbose=0)
    outputs = model.predict(YP, verbose=0)
    assert values[1] == metrics.Precision(top_k=2)(YT, outputs)
    assert values[2] == metrics.Recall(thresholds=0.4, class_id=2)(YT, outputs)
    path = os.path.join(str(tmp_path), "limits.anneal")
    model.save(path)
    loaded = load_model(path)
    assert loaded.evaluate(YP, YT, batch_size=6, verbose=0) == values
    assert loaded.fit(YP, YT, epochs=2, batch_size=4, verbose=0).history == \
        model.fit(YP, YT, epochs=2, batch_size=4, verbose=0).history
    h5py = require_h5py()
    path = os.path.join(str(tmp_path), "limits.h5")
    model.save(path)
    with h5py.File(path, "r") as file:
        written = json.loads(file.attrs["training_config"])["metrics"][0]
    assert written[0]["config"] == {"name": "precision", "dtype": "float32", "thresholds": None, "top_k": 2,
                                    "class_id": None}
    assert written[1]["config"] == {"name": "r2", "dtype": "float32", "thresholds": pytest.approx(0.4), "top_k": None,
                                    "class_id": 2}
    assert load_model(path).evaluate(YP, YT, batch_size=6, verbose=0) == pytest.approx(model.evaluate(
        YP, YT, batch_size=6, verbose=0), abs=1e-6)


# --- AUC over several outputs: multi_label, num_labels, label_weights ------------------------------------------------
# tf_keras 2.21's values (two update_state calls of rows 0-4 and 5-7, then result; again with sample weights W8).
YT3 = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 1.0],
       [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
YP3 = [[0.9509640336036682, 0.038748376071453094, 0.6991074085235596],
       [0.5727598071098328, 0.8980070948600769, 0.6668989658355713],
       [0.5478377938270569, 0.7024274468421936, 0.38647717237472534],
       [0.6944386959075928, 0.8248704671859741, 0.4656684696674347],
       [0.9405243992805481, 0.8037397861480713, 0.9833592772483826],
       [0.16963626444339752, 0.521084725856781, 0.9455174207687378],
       [0.6495404839515686, 0.8608319163322449, 0.9708459973335266],
       [0.18554168939590454, 0.24311567842960358, 0.873400866985321]]
W8 = [1, 2, 0.5, 0, 1.5, 1, 3, 0.25]
TF_KERAS_AUC = [
    ("AUC(multi_label=True)", 0.6023809313774109, 0.4877290725708008),
    ("AUC(multi_label=True, num_labels=3, curve='PR')", 0.458319753408432, 0.5398604273796082),
    ("AUC(label_weights=[0.2, 1.0, 0.5])", 0.6333606243133545, 0.6412254571914673),
    ("AUC(multi_label=True, label_weights=[2.0, 0.0, 1.0], num_thresholds=20)", 0.49444445967674255,
     0.36281678080558777),
    ("AUC(label_weights=[1.0, 0.5, 2.0], curve='PR')", 0.4340702295303345, 0.5400616526603699),
]


@pytest.mark.parametrize("expression,plain,weighted", TF_KERAS_AUC)
def test_auc_labels_as_tf_keras(expression, plain, weighted):
    metric = eval("metrics." + expression, {"metrics": metrics})
    metric.update_state(YT3[:5], YP3[:5])
    metric.update_state(YT3[5:], YP3[5:])
    assert metric.result() == pytest.approx(plain, rel=2e-6, abs=1e-6)
    metric.reset_state()
    metric.update_state(YT3[:5], YP3[:5], sample_weight=W8[:5])
    metric.update_state(YT3[5:], YP3[5:], sample_weight=W8[5:])
    assert metric.result() == pytest.approx(weighted, rel=2e-6, abs=1e-6)


# The rest of tf_keras 2.21's AUC: summation_method, thresholds (here on YS3 = 1.6 YP3 - 0.3, some outside
# [0, 1], counted unclipped unless the thresholds are evenly spaced) and from_logits; as above.
YS3 = [[1.221542, -0.238003, 0.818572], [0.616416, 1.136811, 0.767038], [0.57654, 0.823884, 0.318363],
       [0.811102, 1.019793, 0.44507], [1.204839, 0.985984, 1.273375], [-0.028582, 0.533736, 1.212828],
       [0.739265, 1.077331, 1.253354], [-0.003133, 0.088985, 1.097441]]
TF_KERAS_AUC_METHODS = [
    ("AUC(summation_method='minoring')", "YP3", 0.5142857432365417, 0.4983541667461395),
    ("AUC(summation_method='majoring', curve='PR', num_thresholds=15)", "YP3", 0.49667268991470337,
     0.6381125450134277),
    ("AUC(summation_method='Minoring', curve='PR', multi_label=True)", "YP3", 0.277910053730011, 0.2629048526287079),
    ("AUC(thresholds=[0.8, 0.3, 0.55])", "YS3", 0.3285714387893677, 0.3469387888908386),
    ("AUC(thresholds=[0.25, 0.5, 0.75], curve='PR')", "YS3", 0.38786837458610535, 0.49511289596557617),
    ("AUC(thresholds=[-0.1, 0.5, 1.05], curve='PR', summation_method='majoring', multi_label=True)", "YS3",
     0.22685183584690094, 0.21853883564472198),
    ("AUC(from_logits=True)", "YS3", 0.5214285850524902, 0.504937469959259),
    ("AUC(from_logits=True, thresholds=[0.4, 0.6], label_weights=[1.0, 0.5, 2.0], summation_method='minoring')",
     "YS3", 0.09806451201438904, 0.05624545365571976),
]


@pytest.mark.parametrize("expression,data,plain,weighted", TF_KERAS_AUC_METHODS)
def test_auc_methods_as_tf_keras(expression, data, plain, weighted):
    metric = eval("metrics." + expression, {"metrics": metrics})
    outputs = YP3 if data == "YP3" else YS3
    metric.update_state(YT3[:5], outputs[:5])
    metric.update_state(YT3[5:], outputs[5:])
    assert metric.result() == pytest.approx(plain, rel=2e-6, abs=1e-6)
    metric.reset_state()
    metric.update_state(YT3[:5], outputs[:5], sample_weight=W8[:5])
    metric.update_state(YT3[5:], outputs[5:], sample_weight=W8[5:])
    assert metric.result() == pytest.approx(weighted, rel=2e-6, abs=1e-6)


def test_auc_method_arguments():
    metric = metrics.AUC(thresholds=[0.7, 0.2], summation_method="Majoring", from_logits=True, num_thresholds=50)
    assert metric.num_thresholds == 4 and metric.thresholds == [-1e-7, 0.2, 0.7, 1.0 + 1e-7]
    assert metric.summation_method == "majoring"
    config = metric.get_config()
    assert config["thresholds"] == [0.2, 0.7] and config["from_logits"] is True
    assert config["summation_method"] == "majoring"
    assert metrics.AUC(num_thresholds=3).thresholds == [-1e-7, 0.5, 1.0 + 1e-7]
    assert "thresholds" not in metrics.AUC().get_config()
    with pytest.raises(ValueError, match="summation method"):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="summation method"):
        metrics.AUC(summation_method="MINORING")
    with pytest.raises(ValueError, match="thresholds"):
        metrics.AUC(thresholds=[0.5, float("nan")])
    with pytest.raises(ValueError, match="thresholds"):
        metrics.AUC(thresholds=[])
    with pytest.raises(ValueError, match="thresholds"):
        metrics.AUC(thresholds="0.5")


def test_auc_methods_in_fit_save_and_h5(tmp_path):
    model = Sequential()
    model.add(Dense(3, input_dim=3, activation="linear"))
    chosen = [metrics.AUC(thresholds=[0.8, 0.3, 0.55], summation_method="minoring", name="t"),
              metrics.AUC(from_logits=True, curve="PR", summation_method="majoring", multi_label=True, name="l")]
    model.compile(loss="mse", optimizer=Adam(learning_rate=0.01), metrics=chosen)
    model.fit(YS3, YT3, epochs=1, batch_size=4, verbose=0)
    values = model.evaluate(YS3, YT3, batch_size=8, verbose=0)
    outputs = model.predict(YS3, verbose=0)
    assert values[1] == pytest.approx(metrics.AUC(thresholds=[0.8, 0.3, 0.55], summation_method="minoring")(
        YT3, outputs), abs=1e-7)
    assert values[2] == pytest.approx(metrics.AUC(from_logits=True, curve="PR", summation_method="majoring",
                                                  multi_label=True)(YT3, outputs), abs=1e-7)
    path = os.path.join(str(tmp_path), "methods.anneal")
    model.save(path)
    loaded = load_model(path)
    assert loaded.evaluate(YS3, YT3, batch_size=8, verbose=0) == values
    h5py = require_h5py()
    path = os.path.join(str(tmp_path), "methods.h5")
    model.save(path)
    with h5py.File(path, "r") as file:
        written = json.loads(file.attrs["training_config"])["metrics"][0]
    assert written[0]["config"]["summation_method"] == "minoring"
    assert written[0]["config"]["thresholds"] == [pytest.approx(0.3), pytest.approx(0.55), pytest.approx(0.8)]
    assert written[1]["config"]["from_logits"] is True and written[1]["config"]["summation_method"] == "majoring"
    assert load_model(path).evaluate(YS3, YT3, batch_size=8, verbose=0) == pytest.approx(values, abs=1e-6)


def test_auc_label_checks():
    with pytest.raises(ValueError, match="only when `multi_label` is True"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="non-negative"):
        metrics.AUC(label_weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="label_weights"):
        metrics.AUC(label_weights=[1.0, 2.0])(YT3, YP3)
    with pytest.raises(ValueError, match="num_labels=2"):
        metrics.AUC(multi_label=True, num_labels=2)(YT3, YP3)
    first, second, whole = (metrics.AUC(multi_label=True) for _ in range(3))
    first.update_state(YT3[:4], YP3[:4])
    second.update_state(YT3[4:], YP3[4:])
    whole.update_state(YT3, YP3)
    first.merge_state([second])
    assert first.result() == whole.result()
    with pytest.raises(ValueError, match="label_weights"):
        _identity_model(3, "binary_crossentropy", metrics.AUC(label_weights=[1.0, 2.0]))


def test_auc_labels_in_fit_save_and_h5(tmp_path):
    model = Sequential()
    model.add(Dense(3, input_dim=3, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=0.01),
                  metrics=[metrics.AUC(multi_label=True, label_weights=[2.0, 0.0, 1.0], name="ml"),
                           metrics.AUC(label_weights=[0.2, 1.0, 0.5], curve="PR", name="lw")])
    model.fit(YP3, YT3, epochs=1, batch_size=4, verbose=0)
    values = model.evaluate(YP3, YT3, batch_size=8, verbose=0)
    outputs = model.predict(YP3, verbose=0)
    assert values[1] == metrics.AUC(multi_label=True, label_weights=[2.0, 0.0, 1.0])(YT3, outputs)
    assert values[2] == metrics.AUC(label_weights=[0.2, 1.0, 0.5], curve="PR")(YT3, outputs)
    path = os.path.join(str(tmp_path), "labels.anneal")
    model.save(path)
    loaded = load_model(path)
    assert loaded.evaluate(YP3, YT3, batch_size=8, verbose=0) == values
    assert loaded.fit(YP3, YT3, epochs=2, batch_size=4, verbose=0).history == \
        model.fit(YP3, YT3, epochs=2, batch_size=4, verbose=0).history
    h5py = require_h5py()
    path = os.path.join(str(tmp_path), "labels.h5")
    model.save(path)
    with h5py.File(path, "r") as file:
        written = json.loads(file.attrs["training_config"])["metrics"][0]
    assert written[0]["config"]["multi_label"] is True and written[0]["config"]["num_labels"] == 3
    assert written[0]["config"]["label_weights"] == [2.0, 0.0, 1.0]
    assert written[1]["config"]["multi_label"] is False and written[1]["config"]["label_weights"] == \
        [pytest.approx(0.2), 1.0, 0.5]
    assert load_model(path).evaluate(YP3, YT3, batch_size=8, verbose=0) == pytest.approx(model.evaluate(
        YP3, YT3, batch_size=8, verbose=0), abs=1e-6)
