"""keras_fashion_mnist.py — the Keras beginner tutorial, on dropnet: Fashion-MNIST with dropout.

Run:  make python && build/python-venv/bin/python examples/keras_fashion_mnist.py
(Debian's dataset-fashion-mnist holds the data; scripts/setup.sh installs it.)"""
import gzip
import os
import time

import numpy as np

import dropnet
from dropnet import layers

DATA = "/usr/share/datasets/fashion-mnist"


def load(kind):
    def read(name, offset):
        for suffix in ("", ".gz"):
            path = os.path.join(DATA, name + suffix)
            if os.path.exists(path):
                with (gzip.open if suffix else open)(path, "rb") as f:
                    return np.frombuffer(f.read(), np.uint8, offset=offset)
        raise FileNotFoundError(path)
    prefix = "train" if kind == "train" else "t10k"
    x = read(f"{prefix}-images-idx3-ubyte", 16).reshape(-1, 784)
    y = read(f"{prefix}-labels-idx1-ubyte", 8)
    return (x / 255.0).astype(np.float32), y.astype(np.int32)


(x_train, y_train), (x_test, y_test) = load("train"), load("test")
class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

model = dropnet.Sequential([
    layers.Input(shape=(784,)),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.2),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

start = time.perf_counter()
history = model.fit(x_train, y_train, epochs=10, validation_split=0.1)
seconds = time.perf_counter() - start

# The data a Keras user would plot: one value per epoch.
for name, values in history.history.items():
    print(name, " ".join(f"{v:.4f}" for v in values))

test_loss, test_acc = model.evaluate(x_test, y_test)
print(f"test accuracy {test_acc:.4f}, test loss {test_loss:.4f}, training {seconds:.1f} s")

model.save("fashion_mnist.safetensors")          # the CLI reads it: dropnet eval --model ...
restored = dropnet.load_model("fashion_mnist.safetensors")
probabilities = restored.predict(x_test[:5])
for p, label in zip(probabilities, y_test[:5]):
    print(f"predicted {class_names[int(np.argmax(p))]:<12} (p = {p.max():.2f}), "
          f"true {class_names[label]}")
