"""The wire format: round trips of plain data, and refusal of anything that is not plain data."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest

from autograder.sandbox import wire
from autograder.sandbox.wire import DeviceSpec, Opaque, TensorData, WireError


def roundtrip(message):
    buffer = io.BytesIO()
    wire.write_message(buffer, message)
    buffer.seek(0)
    return wire.read_message(buffer)


def test_plain_values_round_trip():
    arrays = {"f64": np.arange(6.0).reshape(2, 3), "f32": np.ones((0, 4), np.float32),
              "i64": np.array([[1, -2]], np.int64), "bool": np.array([True, False])}
    message = {"a": arrays, "t": (1, 2.5, None, "x", True), "l": [np.float32(1.5), np.int64(3)],
               "nan": float("nan"), "inf": float("-inf"), "dev": DeviceSpec("cuda:0"),
               "tensor": TensorData(np.eye(2, dtype=np.float32), "torch.float32", "cuda:0", True)}
    back = roundtrip(message)
    for key, array in arrays.items():
        assert back["a"][key].dtype == array.dtype and back["a"][key].shape == array.shape
        assert np.array_equal(back["a"][key], array)
    assert back["t"] == (1, 2.5, None, "x", True)
    assert back["l"][0] == np.float32(1.5) and back["l"][0].dtype == np.float32 and back["l"][1] == 3
    assert np.isnan(back["nan"]) and back["inf"] == float("-inf")
    assert back["dev"] == DeviceSpec("cuda:0")
    assert back["tensor"].device == "cuda:0" and back["tensor"].requires_grad
    assert np.array_equal(back["tensor"].array, np.eye(2))


def test_non_plain_values_become_opaque():
    class Sneaky:
        def __reduce__(self):  # pragma: no cover - must never be called
            raise AssertionError("pickled")

    back = roundtrip({"obj": Sneaky(), "objarr": np.array([object()], dtype=object), "keys": {1: 2}})
    assert isinstance(back["obj"], Opaque) and back["obj"].type_name.endswith("Sneaky")
    assert isinstance(back["objarr"], Opaque) and "object" in back["objarr"].type_name
    assert isinstance(back["keys"], Opaque)


def frame(payload, buffers=()):
    header = json.dumps({"payload": payload, "buffers": len(buffers)}).encode()
    out = struct.pack("<I", len(header)) + header
    for buf in buffers:
        out += struct.pack("<Q", len(buf)) + buf
    return io.BytesIO(out)


@pytest.mark.parametrize("payload,buffers,reason", [
    ({"__dict__": {"x": {"__ndarray__": 0, "dtype": "object", "shape": [1]}}}, [b"\0" * 8], "dtype"),
    ({"__dict__": {"x": {"__ndarray__": 0, "dtype": "float64", "shape": [3]}}}, [b"\0" * 8], "size"),
    ({"__dict__": {"x": {"__ndarray__": 5, "dtype": "float64", "shape": [1]}}}, [b"\0" * 8], "index"),
    ({"__dict__": {"x": {"__pickle__": "gASV"}}}, [], "unknown"),
    ([1, 2], [], "not a dict"),
])
def test_malformed_messages_are_refused(payload, buffers, reason):
    with pytest.raises(WireError, match=reason):
        wire.read_message(frame(payload, buffers))


def test_garbage_header_and_truncation():
    with pytest.raises(WireError):
        wire.read_message(io.BytesIO(struct.pack("<I", 5) + b"{{{{{"))
    with pytest.raises(EOFError):
        wire.read_message(io.BytesIO(struct.pack("<I", 50) + b"{}"))


def test_zero_dimensional_values_stay_zero_dimensional():
    """A list of lists of np.float64 (a loop solution) must not arrive as shape (N, P, 1)."""
    back = roundtrip({"scalars": [[np.float64(1.5), np.float32(2.0)]], "zero_d": np.array(3.0),
                      "tensor": TensorData(np.array(4.0, np.float32), "torch.float32", "cpu")})
    assert [np.ndim(v) for v in back["scalars"][0]] == [0, 0]
    assert back["scalars"][0][1].dtype == np.float32
    assert back["zero_d"].shape == () and back["zero_d"] == 3.0
    assert back["tensor"].array.shape == () and back["tensor"].array.dtype == np.float32


ARRAY = {"__ndarray__": 0, "dtype": "float64"}


@pytest.mark.parametrize("payload,buffers", [
    ({"x": {**ARRAY, "shape": [2 ** 62, 2 ** 62, 4]}}, [b"\0" * 8]),  # int64 product overflows to 0
    ({"x": {**ARRAY, "shape": [1] * 100}}, [b"\0" * 8]),
    ({"x": {**ARRAY, "shape": [1.5]}}, [b"\0" * 8]),
    ({"x": {**ARRAY, "shape": [True]}}, [b"\0" * 8]),
    ({"x": {"__scalar__": 3}}, []),
    ({"x": {"__dict__": [1, 2]}}, []),
    ({"x": {"__tuple__": 5}}, []),
    ({"x": {"__float__": [1]}}, []),
    ({"x": {"__float__": "not a number"}}, []),
    ({"x": {"__tensor__": 1}}, []),
    ({"x": json.loads("[" * 70 + "1" + "]" * 70)}, []),
])
def test_any_malformed_reply_is_a_wire_error(payload, buffers):
    """Whatever the worker sends, decoding fails only with WireError: the grader blames the sender
    and replaces the worker, instead of an internal error that leaves a stale reply in the pipe."""
    with pytest.raises(WireError):
        wire.read_message(frame({"__dict__": payload}, buffers))


def test_json_nested_beyond_the_parser_is_a_wire_error():
    header = b'{"payload": ' + b"[" * 200_000 + b"]" * 200_000 + b', "buffers": 0}'
    with pytest.raises(WireError):
        wire.read_message(io.BytesIO(struct.pack("<I", len(header)) + header))
