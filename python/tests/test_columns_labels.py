"""Feature names and class values between Python and the CLI, both directions: scikit-learn 1.2's
own feature-name check on the estimators, a Python-fitted model read by `dropnet predict`/`eval`
by column name, a CLI-trained model loaded in Python, and integer labels that are not class ids
(1-based, -1/1) mapped as the CLI maps a CSV label column (LabelEncoder)."""
import csv
import io
import json
import pickle
import subprocess

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import check_dataframe_column_names_consistency

import dropnet
from dropnet import layers
from dropnet.sklearn import MLPClassifier, MLPRegressor

COLS = ["sepal", "petal", "stem", "leaf"]


@pytest.fixture(scope="module")
def table():
    """300 rows, 4 named features, 3 classes named x, y, z (and the ids 0..2)."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 1.5, size=(3, 4))
    y = rng.integers(0, 3, size=300)
    x = (centres[y] + rng.normal(size=(300, 4))).astype(np.float32)
    return pd.DataFrame(x, columns=COLS), y


def net(outputs=3, activation="softmax", loss="sparse_categorical_crossentropy", features=4):
    m = dropnet.Sequential([layers.Input(shape=(features,)), layers.Dense(8, activation="relu"),
                            layers.Dense(outputs, activation=activation)])
    m.compile(optimizer="adam", loss=loss, metrics=["accuracy"], seed=3)
    return m


def run(cli, *args):
    return subprocess.run([cli, *args], check=True, capture_output=True, text=True).stdout


def cli_predictions(cli, model, data):
    """(printed classes, probabilities [rows, classes]) of `dropnet predict`."""
    rows = list(csv.reader(io.StringIO(run(cli, "predict", "--model", model, "--data", data))))
    header, rows = rows[0], rows[1:]
    probs = np.array([[float(r[i]) for i, h in enumerate(header) if h.startswith("p_")]
                      for r in rows])
    return [r[header.index("predicted")] for r in rows], probs


# -- scikit-learn's rule for feature names ---------------------------------------------------------
@pytest.mark.parametrize("estimator", [MLPClassifier((8,), max_iter=5, random_state=0),
                                       MLPRegressor((8,), max_iter=5, random_state=0)],
                         ids=["MLPClassifier", "MLPRegressor"])
def test_sklearn_own_feature_name_check(estimator):
    # scikit-learn 1.2 runs this check on its own estimators only (not in check_estimator):
    # feature_names_in_ after a DataFrame fit, its ValueErrors for reordered, unseen and missing
    # names, no warning for the right names.
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)


def test_sklearn_names_reach_the_cli(table, tmp_path, cli):
    df, y = table
    labels = pd.Series(np.array(["x", "y", "z"])[y], name="kind")
    clf = MLPClassifier((8,), max_iter=20, random_state=0).fit(df, labels)
    assert list(clf.feature_names_in_) == COLS and clf.feature_names_in_.dtype == object
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        clf.predict(df[COLS[::-1]])
    with pytest.raises(ValueError, match="missing:\n- stem"):
        clf.predict(df.drop(columns="stem"))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        clf.predict(df.to_numpy())
    p = clf.predict_proba(df)

    path = str(tmp_path / "clf.safetensors")
    clf.model_.save(path)
    data = tmp_path / "new.csv"
    df[COLS[::-1]].assign(id=1).to_csv(data, index=False)  # other order, an extra column
    classes, probs = cli_predictions(cli, path, str(data))
    assert classes == list(clf.predict(df)) and np.allclose(probs, p, atol=1e-6)
    back = dropnet.load_model(path)
    columns = json.loads(dropnet.models.lib.dn_model_get_metadata(back._handle, b"columns"))
    assert columns == {"header": True, "label": "kind", "features": COLS}
    assert back.class_names == ["x", "y", "z"]

    back = pickle.loads(pickle.dumps(clf))  # the names survive a pickle
    assert back.model_.feature_names == COLS and back.model_.class_names == ["x", "y", "z"]
    assert np.array_equal(back.predict_proba(df), p)


def test_sequential_feature_names_in(table):
    df, y = table
    m = net()
    m.fit(df, y, epochs=1, verbose=0)
    assert list(m.feature_names_in_) == COLS and m.feature_names_in_.dtype == object
    assert np.array_equal(m.predict(df[COLS[::-1]]), m.predict(df))  # by name, as the CLI
    with pytest.raises(ValueError, match="no column 'leaf'"):
        m.predict(df.drop(columns="leaf"))
    plain = net()
    plain.fit(pd.DataFrame(df.to_numpy()), y, epochs=1, verbose=0)  # 0, 1, ...: no names
    assert plain.feature_names is None and not hasattr(plain, "feature_names_in_")
    with pytest.raises(TypeError, match="string names"):
        net().fit(pd.DataFrame(df.to_numpy(), columns=["a", "b", 2, 3]), y, verbose=0)


# -- a CLI-trained model in Python -----------------------------------------------------------------
def test_cli_model_in_python(table, tmp_path, cli):
    df, y = table
    names = np.array(["x", "y", "z"])[y]
    train = tmp_path / "train.csv"
    df.assign(kind=names).to_csv(train, index=False)
    model = str(tmp_path / "cli.safetensors")
    run(cli, "train", "--train", str(train), "--model", "dense:8:relu,dense:3:softmax",
        "--epochs", "3", "--out", model)
    m = dropnet.load_model(model)
    assert m.feature_names == COLS and m.class_names == ["x", "y", "z"]
    assert list(m.classes_) == ["x", "y", "z"]
    report = json.loads(run(cli, "eval", "--model", model, "--data", str(train), "--json"))
    loss, acc = m.evaluate(df[COLS[::-1]], names)  # columns by name, labels by class name
    assert acc == report["accuracy"] and loss == pytest.approx(report["loss"], rel=1e-9)
    classes, probs = cli_predictions(cli, model, str(train))
    assert list(m.predict_classes(df)) == classes
    assert np.allclose(m.predict(df), probs, atol=1e-6)


# -- integer labels that are not class ids ---------------------------------------------------------
def test_one_based_labels_as_the_cli(table, tmp_path, cli):
    df, y = table
    ids, one = net(), net()
    h_ids = ids.fit(df, y, epochs=2, batch_size=30, verbose=0, validation_split=0.2)
    h_one = one.fit(df, y + 1, epochs=2, batch_size=30, verbose=0, validation_split=0.2)
    assert ids.class_names is None and one.class_names == ["1", "2", "3"]
    for a, b in zip(ids.get_weights(), one.get_weights()):  # LabelEncoder: 1, 2, 3 → 0, 1, 2
        assert np.array_equal(a, b)
    assert h_ids.history == h_one.history
    assert one.evaluate(df, y + 1) == ids.evaluate(df, y)
    assert np.array_equal(one.predict_classes(df), ids.predict_classes(df) + 1)
    assert one.classes_.dtype == np.int64 and list(one.classes_) == [1, 2, 3]
    with pytest.raises(ValueError, match="'0' is not one of the model's classes"):
        one.evaluate(df, y)  # ids are refused once the classes are 1, 2, 3: never mis-mapped

    # saved: the CLI prints 1..3 and scores a 1-based file as Python does ...
    path = str(tmp_path / "one.safetensors")
    one.save(path)
    data = tmp_path / "one.csv"
    df.assign(kind=y + 1).to_csv(data, index=False)
    classes, _ = cli_predictions(cli, path, str(data))
    assert classes == [str(c) for c in one.predict_classes(df)]
    # y was an array: the model names no label column, so `eval` asks for --label
    refused = subprocess.run([cli, "eval", "--model", path, "--data", str(data)],
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "name the label column with --label" in refused.stderr
    report = json.loads(run(cli, "eval", "--model", path, "--data", str(data), "--json",
                            "--label", "kind"))
    loss, acc = one.evaluate(df, y + 1)
    assert acc == report["accuracy"] and loss == pytest.approx(report["loss"], rel=1e-9)
    named = net()  # a named Series: the CLI finds the label by that name
    named.fit(df, pd.Series(y + 1, name="kind"), epochs=2, batch_size=30, verbose=0,
              validation_split=0.2)
    named.save(path)
    assert json.loads(run(cli, "eval", "--model", path, "--data", str(data), "--json")) == report

    # ... and a CLI model trained on that file reads 1-based labels back in Python
    cli_model = str(tmp_path / "cli_one.safetensors")
    run(cli, "train", "--train", str(data), "--model", "dense:8:relu,dense:3:softmax",
        "--epochs", "2", "--out", cli_model)
    back = dropnet.load_model(cli_model)
    assert back.class_names == ["1", "2", "3"] and list(back.classes_) == [1, 2, 3]
    report = json.loads(run(cli, "eval", "--model", cli_model, "--data", str(data), "--json"))
    loss, acc = back.evaluate(df, y + 1)
    assert acc == report["accuracy"] and loss == pytest.approx(report["loss"], rel=1e-9)


def test_minus_one_one_and_boolean_labels(table):
    df, y = table
    two = (y == 2)
    pm, ref, flags = (net(1, "sigmoid", "binary_crossentropy") for _ in range(3))
    pm.fit(df, np.where(two, 1, -1), epochs=2, verbose=0)
    ref.fit(df, two.astype(np.float32), epochs=2, verbose=0)
    flags.fit(df, two, epochs=2, verbose=0)
    assert pm.class_names == ["-1", "1"] and flags.class_names == ["False", "True"]
    for a, b, c in zip(pm.get_weights(), ref.get_weights(), flags.get_weights()):
        assert np.array_equal(a, b) and np.array_equal(a, c)
    p = ref.predict(df)[:, 0]
    assert np.array_equal(pm.predict_classes(df), np.where(p > 0.5, 1, -1))
    assert flags.predict_classes(df).dtype == bool
    assert np.array_equal(flags.predict_classes(df), p > 0.5)
    assert np.array_equal(ref.predict_classes(df), (p > 0.5).astype(np.int64))  # no names: ids


def test_label_count_errors_and_sparse_values(table):
    df, y = table
    bad = y + 1
    bad[5] = 7
    with pytest.raises(ValueError, match=r"4 distinct label values \(1, 2, 3, 7\) .* 3 outputs.*"
                                         r"class ids 0..2"):
        net().fit(df, bad, verbose=0)
    m = net()  # {0, 1, 7}: not ids, three values → classes 0, 1, 7 in numeric order
    m.fit(df, np.where(y == 2, 7, y), epochs=1, verbose=0)
    assert m.class_names == ["0", "1", "7"]
    assert set(m.predict_classes(df)) <= {0, 1, 7}
