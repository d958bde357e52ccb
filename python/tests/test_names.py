"""Named labels (strings, any kind) and DataFrame column names kept in the model: checked against
integer-label training (bit-identical weights) and against the CLI reading the saved model."""
import csv
import io
import subprocess

import numpy as np
import pandas as pd
import pytest

import dropnet
from dropnet import layers

NAMES = np.array(["zebra", "ant", "moth"])  # class 0, 1, 2 of the blobs; sorted: ant moth zebra
AS_SORTED = np.array([2, 0, 1])             # blob class → id of its name among the sorted names


def model(outputs=3, activation="softmax", loss="sparse_categorical_crossentropy"):
    m = dropnet.Sequential([layers.Input(shape=(20,)), layers.Dense(8, activation="relu"),
                            layers.Dense(outputs, activation=activation)])
    m.compile(optimizer="adam", loss=loss, metrics=["accuracy"], seed=7)
    return m


def test_string_labels_train_as_their_sorted_ids(blobs):
    x, y = blobs
    named, ints = model(), model()
    h1 = named.fit(x, NAMES[y], epochs=2, batch_size=50, verbose=0, validation_split=0.2)
    h2 = ints.fit(x, AS_SORTED[y], epochs=2, batch_size=50, verbose=0, validation_split=0.2)
    assert named.class_names == ["ant", "moth", "zebra"] and ints.class_names is None
    for a, b in zip(named.get_weights(), ints.get_weights()):
        assert np.array_equal(a, b)
    assert h1.history == h2.history
    assert named.evaluate(x, NAMES[y]) == ints.evaluate(x, AS_SORTED[y])
    # a list of Python objects and a pandas Series of them are the same labels
    again = model()
    again.fit(x, pd.Series(list(NAMES[y]), dtype=object), epochs=2, batch_size=50, verbose=0,
              validation_split=0.2)
    assert np.array_equal(again.get_weights()[0], named.get_weights()[0])


def test_boolean_labels_name_a_sigmoid_unit(blobs):
    x, y = blobs
    m = model(1, "sigmoid", "binary_crossentropy")
    m.fit(x, y == 1, epochs=1, verbose=0)
    ref = model(1, "sigmoid", "binary_crossentropy")
    ref.fit(x, (y == 1).astype(np.float32), epochs=1, verbose=0)
    assert m.class_names == ["False", "True"]
    assert np.array_equal(m.get_weights()[0], ref.get_weights()[0])


def test_named_label_errors(blobs):
    x, y = blobs
    with pytest.raises(ValueError, match="2 distinct labels .* 3 outputs"):
        model().fit(x, np.where(y == 0, "a", "b"), verbose=0)
    m = model()
    with pytest.raises(ValueError, match="rows but y has"):
        m.fit(x, NAMES[y][:-1], verbose=0)
    assert m.class_names is None  # a refused fit keeps no names
    m.fit(x, NAMES[y], verbose=0)
    with pytest.raises(ValueError, match="'horse' is not one of the model's classes"):
        m.evaluate(x[:3], ["ant", "horse", "moth"])
    with pytest.raises(ValueError, match=r"y\[1\] is missing"):
        model().fit(x[:3], np.array(["ant", None, "moth"], dtype=object), verbose=0)
    with pytest.raises(ValueError, match="no class names"):
        model().evaluate(x[:2], ["ant", "moth"])
    with pytest.raises(TypeError, match="numeric targets"):
        model(3, "linear", "mse").fit(x[:3], ["a", "b", "c"], verbose=0)


def frame(x):
    return pd.DataFrame(x, columns=[f"f{j:02d}" for j in range(20)])


def test_dataframe_columns_are_kept_and_matched_by_name(blobs, tmp_path, cli):
    x, y = blobs
    df = frame(x)
    m = model()
    m.fit(df, pd.Series(NAMES[y], name="animal"), epochs=3, verbose=0)
    assert m.feature_names == list(df.columns)
    p = m.predict(x[:50])
    shuffled = df[list(reversed(df.columns))].assign(extra=1.0)  # by name: order, extras ignored
    assert np.array_equal(m.predict(shuffled[:50]), p)
    with pytest.raises(ValueError, match="no column 'f03'"):
        m.predict(df.drop(columns="f03"))

    path = str(tmp_path / "m.safetensors")
    m.save(path)
    back = dropnet.load_model(path)
    assert back.class_names == ["ant", "moth", "zebra"] and back.feature_names == list(df.columns)
    assert np.array_equal(back.predict(df[:50]), p)

    # the CLI reads a CSV file by these names (columns reversed, an id column) and prints the names
    data = tmp_path / "new.csv"
    shuffled[:50].assign(id=np.arange(50)).to_csv(data, index=False)
    out = subprocess.run([cli, "predict", "--model", path, "--data", str(data)], check=True,
                         capture_output=True, text=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    header, rows = rows[0], rows[1:]
    assert len(rows) == 50
    predicted = [r[header.index(h)] for r in rows for h in header if h in ("class", "predicted")]
    assert predicted == list(np.array(m.class_names)[p.argmax(axis=1)])
    probs = np.array([[float(r[header.index(h)]) for h in header if h.startswith("p_") or
                       h in m.class_names] for r in rows])
    assert probs.shape == (50, 3) and np.allclose(probs, p, atol=1e-6)


def test_sklearn_classifier_names_its_model(blobs):
    from dropnet.sklearn import MLPClassifier
    x, y = blobs
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(x, NAMES[y])
    assert list(clf.classes_) == ["ant", "moth", "zebra"] == clf.model_.class_names
    assert set(clf.predict(x[:20])) <= set(NAMES)
