"""Anneal writes a Keras 2 .h5 file, tf_keras reads it: the check behind python/tests/test_keras_files.py.

Run with a Python that has tf_keras (not a test dependency), the repository's python/ on the path and a built
library:

    swift build --product anneal
    PYTHONPATH=python ANNEAL_LIBRARY=$PWD/.build/debug/libanneal.so /path/to/venv-with-tf_keras/bin/python \
        Tests/Golden/keras_reads_anneal_h5.py [python/tests/fixtures/keras_files/keras_reads_anneal.json]

For each reference model, Anneal loads Keras's .h5, writes it back with model.save(path, save_format="h5"),
and tf_keras loads that file: the script compares tf_keras's predictions on the first 8 ionosphere rows with
expected.json's (Keras's own), checks that tf_keras restored the layers (Dropout with its rate and seed) and
the legacy optimizer's iterations and slots (and, for models built in Anneal, a seeded Dropout's seed and a
LeakyReLU's slope; metric objects with their parameters, evaluated alike), and trains both one more epoch (shuffle off) to compare the
weights, for the models without Dropout (a Dropout's masks come from each library's own generator, so two
runs with Dropout cannot agree). The result is written as JSON.
"""

import json
import os
import sys
import tempfile

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tf_keras  # noqa: E402

from anneal import optimizers  # noqa: E402
from anneal.datasets import ionosphere  # noqa: E402
from anneal.layers import Activation, Dense, Dropout, LeakyReLU  # noqa: E402
from anneal.models import Sequential, load_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "python", "tests", "fixtures", "keras_files")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else None
    expected = json.load(open(os.path.join(FIXTURES, "expected.json")))
    x, y, _ = ionosphere()
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    results = {"tf_keras": tf_keras.__version__, "models": {}}
    with tempfile.TemporaryDirectory() as scratch:
        for name, reference in expected["models"].items():
            model = load_model(os.path.join(FIXTURES, f"{name}.h5"))
            written = os.path.join(scratch, f"{name}.h5")
            model.save(written, save_format="h5")
            keras_model = tf_keras.models.load_model(written)
            predictions = keras_model.predict(x[:8], verbose=0)
            difference = float(np.abs(predictions - np.asarray(reference["predict_first_8_rows"])).max())
            keras_iterations = int(keras_model.optimizer.iterations.numpy())
            layers = [[type(layer).__name__, layer.name, getattr(layer, "rate", None), getattr(layer, "seed", None)]
                      for layer in keras_model.layers]
            result = {
                "max_abs_prediction_difference": difference,
                "tf_keras_layers": layers,
                "anneal_layers": [[type(layer).__name__, layer.name, getattr(layer, "rate", None),
                                   getattr(layer, "seed", None)] for layer in model.layers],
                "tf_keras_optimizer": type(keras_model.optimizer).__module__ + "." + type(keras_model.optimizer).__name__,
                "tf_keras_iterations": keras_iterations,
                "anneal_iterations_before_epoch": model.optimizer.iterations,
            }
            if not any(layer[0] == "Dropout" for layer in layers):
                # One more epoch each, same data and order.
                batch = 28 if name == "tutorial_sgd" else 32
                keras_model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
                model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
                result["max_abs_weight_difference_after_one_more_epoch"] = max(
                    float(np.abs(np.asarray(a) - b).max()) for a, b in zip(model.get_weights(), keras_model.get_weights()))
            results["models"][name] = result
        # A Dropout with a seed, built in Anneal: tf_keras reads its rate and seed.
        model = Sequential([Dense(8, input_dim=34, activation="relu"), Dropout(0.3, seed=7),
                            Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer=optimizers.Adam(0.01), metrics=["accuracy"])
        model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
        written = os.path.join(scratch, "dropout_seeded.h5")
        model.save(written)
        keras_model = tf_keras.models.load_model(written)
        results["dropout_seeded"] = {
            "max_abs_prediction_difference": float(np.abs(keras_model.predict(x[:8], verbose=0)
                                                          - np.asarray(model.predict(x[:8], verbose=0))).max()),
            "tf_keras_layers": [[type(layer).__name__, layer.name, getattr(layer, "rate", None),
                                 getattr(layer, "seed", None)] for layer in keras_model.layers],
            "anneal_layers": [[type(layer).__name__, layer.name, getattr(layer, "rate", None),
                               getattr(layer, "seed", None)] for layer in model.layers],
        }
        # LeakyReLU and Activation layers after linear Dense layers: tf_keras reads the slope.
        model = Sequential([Dense(8, input_dim=34), LeakyReLU(alpha=0.1), Dense(1), Activation("sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer=optimizers.SGD(0.1), metrics=["accuracy"])
        model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
        written = os.path.join(scratch, "activation_layers.h5")
        model.save(written)
        keras_model = tf_keras.models.load_model(written)

        def described(layer):
            slope = getattr(layer, "alpha", None) if type(layer).__name__ == "LeakyReLU" else None
            return [type(layer).__name__, layer.name, None if slope is None else round(float(slope), 6)]

        results["activation_layers"] = {
            "max_abs_prediction_difference": float(np.abs(keras_model.predict(x[:8], verbose=0)
                                                          - np.asarray(model.predict(x[:8], verbose=0))).max()),
            "tf_keras_layers": [described(layer) for layer in keras_model.layers],
            "anneal_layers": [described(layer) for layer in model.layers],
        }
        # Every other legacy optimizer (with the variants that add state), written after one epoch of Anneal.
        results["optimizers"] = {}
        for label, optimizer in (
                ("RMSprop_centered_momentum", optimizers.RMSprop(0.01, momentum=0.5, centered=True)),
                ("Nadam", optimizers.Nadam(0.01)), ("Adagrad", optimizers.Adagrad(0.05)),
                ("Adadelta", optimizers.Adadelta(1.0)), ("Adamax", optimizers.Adamax(0.01)),
                ("Adam_amsgrad", optimizers.Adam(0.01, amsgrad=True)),
                ("SGD_nesterov", optimizers.SGD(0.1, momentum=0.9, nesterov=True))):
            model = Sequential([Dense(8, input_dim=34, activation="relu"), Dense(1, activation="sigmoid")])
            model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
            model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
            written = os.path.join(scratch, f"{label}.h5")
            model.save(written)
            keras_model = tf_keras.models.load_model(written)
            difference = float(np.abs(keras_model.predict(x[:8], verbose=0)
                                      - np.asarray(model.predict(x[:8], verbose=0))).max())
            iterations = int(keras_model.optimizer.iterations.numpy())
            keras_model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
            model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
            results["optimizers"][label] = {
                "max_abs_prediction_difference": difference,
                "tf_keras_optimizer": type(keras_model.optimizer).__module__ + "." + type(keras_model.optimizer).__name__,
                "tf_keras_iterations": iterations,
                "max_abs_weight_difference_after_one_more_epoch": max(
                    float(np.abs(np.asarray(a) - b).max()) for a, b in zip(model.get_weights(), keras_model.get_weights())),
            }
        # Metric objects with their names and parameters: tf_keras compiles them from the file's training
        # config and evaluates the same values.
        from anneal import metrics as anneal_metrics
        model = Sequential([Dense(8, input_dim=34, activation="relu"), Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer=optimizers.Adam(0.01),
                      metrics=["accuracy", anneal_metrics.AUC(curve="PR", num_thresholds=50, name="pr_auc"),
                               anneal_metrics.Precision(thresholds=0.3), anneal_metrics.Recall(top_k=1, name="recall_top1"),
                               anneal_metrics.BinaryAccuracy(threshold=0.7, name="acc_at_0.7"),
                               anneal_metrics.AUC(multi_label=True, label_weights=[2.0], name="auc_multi"), "mae"])
        model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
        written = os.path.join(scratch, "metric_objects.h5")
        model.save(written)
        keras_model = tf_keras.models.load_model(written)
        keras_values = keras_model.evaluate(x, y, batch_size=351, verbose=0)
        anneal_values = model.evaluate(x, y, batch_size=351, verbose=0)
        results["metric_objects"] = {
            "max_abs_prediction_difference": float(np.abs(keras_model.predict(x[:8], verbose=0)
                                                          - np.asarray(model.predict(x[:8], verbose=0))).max()),
            "tf_keras_metrics_names": keras_model.metrics_names, "anneal_metrics_names": model.metrics_names,
            "tf_keras_metrics": [[type(m).__name__, m.name] for m in keras_model.compiled_metrics.metrics],
            "max_abs_evaluate_difference": max(abs(float(a) - float(b)) for a, b in zip(keras_values, anneal_values)),
        }
    text = json.dumps(results, indent=1)
    print(text)
    if out:
        with open(out, "w") as file:
            file.write(text + "\n")
    checked = list(results["models"].values()) + list(results["optimizers"].values()) + [results["dropout_seeded"], results["activation_layers"], results["metric_objects"]]
    ok = all(m["max_abs_prediction_difference"] <= 1e-6 for m in checked)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
