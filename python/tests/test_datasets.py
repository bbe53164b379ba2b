"""anneal.datasets: load_csv on good and bad files, and the shipped ionosphere copy."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import os
import pathlib

import pytest

import anneal
from anneal.datasets import ionosphere, ionosphere_path, load_csv
from anneal.errors import AnnealIOError, InvalidArgumentError, NonFiniteError, ParseError
from helpers import flatten, np, to_list, without_numpy


def _write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_ionosphere():
    x, y, classes = ionosphere()
    assert classes == ["b", "g"]
    rows = to_list(x)
    labels = flatten(y)
    assert len(rows) == 351 and all(len(row) == 34 for row in rows)
    assert sorted(set(labels)) == [0.0, 1.0]
    assert labels.count(1.0) == 225 and labels.count(0.0) == 126
    assert rows[0][:3] == pytest.approx([1.0, 0.0, 0.99539])
    assert labels[0] == 1.0  # the first row is 'g'
    assert os.path.isabs(ionosphere_path())


def test_ionosphere_without_numpy_is_lists():
    with without_numpy():
        x, y, classes = ionosphere()
    assert isinstance(x, list) and isinstance(x[0], list) and isinstance(x[0][0], float)
    assert isinstance(y, list) and len(y) == 351
    assert classes == ["b", "g"]


def test_ionosphere_with_numpy_is_float32_arrays():
    if np is None:
        pytest.skip("numpy not installed")
    x, y, _ = ionosphere()
    assert isinstance(x, np.ndarray) and x.dtype == np.float32 and x.shape == (351, 34)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (351,)


def test_class_names_are_sorted_like_label_encoder(tmp_path):
    path = _write(tmp_path, "c.csv", "1,2,zebra\n3,4,apple\n5,6,mango\n7,8,apple\n")
    x, y, classes = load_csv(str(path))
    assert classes == ["apple", "mango", "zebra"]
    assert flatten(y) == [2.0, 0.0, 1.0, 0.0]
    assert to_list(x) == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]


def test_numeric_labels_are_kept(tmp_path):
    x, y, classes = load_csv(str(_write(tmp_path, "n.csv", "1,2,0.5\n3,4,1.5\n")))
    assert classes is None
    assert flatten(y) == [0.5, 1.5]


def test_header_detection_and_modes(tmp_path):
    path = _write(tmp_path, "h.csv", "a,b,label\n1,2,g\n3,4,b\n")
    x, y, classes = load_csv(path)
    assert to_list(x) == [[1.0, 2.0], [3.0, 4.0]] and classes == ["b", "g"]
    x, _, _ = load_csv(path, header=True)
    assert len(to_list(x)) == 2
    with pytest.raises(ParseError, match="h.csv:1"):
        load_csv(path, header=False)
    with pytest.raises(ValueError, match="header"):
        load_csv(path, header="maybe")


def test_label_column(tmp_path):
    path = _write(tmp_path, "l.csv", "g,1,2\nb,3,4\n")
    x, y, classes = load_csv(path, label_column=0)
    assert to_list(x) == [[1.0, 2.0], [3.0, 4.0]] and flatten(y) == [1.0, 0.0]
    with pytest.raises(InvalidArgumentError, match="7"):
        load_csv(path, label_column=7)


def test_crlf_bom_blank_lines_and_spaces(tmp_path):
    path = _write(tmp_path, "w.csv", "\ufeff 1 , 2 ,g\r\n\r\n3,4, b \r\n")
    x, y, classes = load_csv(path)
    assert to_list(x) == [[1.0, 2.0], [3.0, 4.0]]
    assert classes == ["b", "g"]


def test_pathlib_paths(tmp_path):
    x, _, _ = load_csv(pathlib.Path(str(_write(tmp_path, "p.csv", "1,2,g\n"))))
    assert to_list(x) == [[1.0, 2.0]]


@pytest.mark.parametrize("name, content, error, pattern", [
    ("empty.csv", "", ParseError, r"empty\.csv:1:1: no data rows"),
    ("blank.csv", "\n\n  \n", ParseError, "no data rows"),
    ("ragged.csv", "1,2,g\n1,g\n", ParseError, r"ragged\.csv:2:.*expected 3 columns"),
    ("binary.csv", b"\x00\x01\xff\xfe\x00binary", ParseError, "binary"),
    ("text.csv", "1,2,g\n1,abc,g\n", ParseError, r"text\.csv:2:2: expected a number, found \"abc\""),
    ("nan.csv", "1,2,g\n1,nan,g\n", NonFiniteError, r"nan\.csv:2:2.*nan"),
    ("inf.csv", "1,2,g\n-inf,2,g\n", NonFiniteError, r"inf\.csv:2:1"),
    ("huge.csv", "1,2,g\n1,1e40,g\n", NonFiniteError, "float32"),
    ("nolabel.csv", "1,2,g\n1,2,\n", ParseError, r"nolabel\.csv:2:3: the label is empty"),
    ("onecolumn.csv", "g\nb\n", ParseError, "at least 2 columns"),
])
def test_bad_csv_files_raise_naming_file_line_column(tmp_path, name, content, error, pattern):
    path = _write(tmp_path, name, content)
    with pytest.raises(error, match=pattern):
        load_csv(str(path))
    with pytest.raises(ValueError):  # ParseError and NonFiniteError are ValueErrors too
        load_csv(str(path))
    with pytest.raises(anneal.AnnealError):
        load_csv(str(path))


def test_missing_file_is_an_os_error(tmp_path):
    missing = str(tmp_path / "missing.csv")
    with pytest.raises(AnnealIOError, match="missing.csv"):
        load_csv(missing)
    with pytest.raises(OSError, match="No such file"):
        load_csv(missing)


def test_directory_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        load_csv(str(tmp_path))


def test_loaded_data_trains(tmp_path):
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{'yes' if i % 7 > 3 else 'no'}" for i in range(30))
    x, y, classes = load_csv(_write(tmp_path, "t.csv", rows + "\n"))
    anneal.utils.set_random_seed(2)
    model = anneal.Sequential([anneal.layers.Dense(4, input_dim=2, activation="relu"),
                               anneal.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=anneal.optimizers.SGD(0.1), metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and classes == ["no", "yes"]
