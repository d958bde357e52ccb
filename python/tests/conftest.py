"""Shared fixtures: the repository's CLI and a small classification set from the library's own
synthetic generator (the seed page's data)."""
import os

import numpy as np
import pytest

import dropnet

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(REPO, "build", "dropnet")


@pytest.fixture(scope="session")
def cli():
    if not os.path.exists(CLI):
        pytest.fail(f"{CLI} is missing: run `make` first")
    return CLI


@pytest.fixture(scope="session")
def blobs():
    """1000 × 20 rows in 3 classes, exactly the data of `dropnet demo --seed 42`."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 1.5, size=(3, 20))
    y = rng.integers(0, 3, size=600).astype(np.int32)
    x = (centres[y] + rng.normal(size=(600, 20))).astype(np.float32)
    return x, y
