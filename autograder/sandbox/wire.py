"""Plain-data messages between the grader and the sandboxed worker.

Why not pickle: the grader must never unpickle anything the student's process wrote. A message is a
JSON header plus raw binary buffers for numpy arrays; the decoder only rebuilds numeric arrays of
whitelisted dtypes, so the worst a hostile worker can send is wrong numbers.

This file is also copied into the worker's private folder and imported there, so it may use only
the standard library and numpy.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_BUFFER_BYTES = 128 * 1024 * 1024  # per message: far above any honest result
MAX_NDIM = 32
MAX_DEPTH = 64  # nesting of a decoded payload: far above any honest reply
ALLOWED_DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64", "complex64", "complex128"]
)


class WireError(Exception):
    """The other side sent something that is not a valid message."""


@dataclass
class TensorData:
    """A torch tensor as the worker saw it, converted to numpy there.
    Example: `TensorData(x.astype(np.float32), "torch.float32", "cpu")`."""

    array: np.ndarray
    dtype: str  # e.g. "torch.float32"
    device: str  # e.g. "cpu", "cuda:0"
    requires_grad: bool = False


@dataclass
class Opaque:
    """A value with no plain-data form: only its type name and a short repr cross the pipe.
    Example: `isinstance(value, Opaque) and value.type_name == "builtins.ellipsis"`."""

    type_name: str
    text: str


@dataclass
class DeviceSpec:
    """A torch.device argument; the worker turns it into a real torch.device.
    Example: `student.call("pytorchdists", X, T, DeviceSpec("cpu"))`."""

    name: str


def _encode(value: Any, buffers: list[bytes]) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and type(value) in (int, float, bool):
        if isinstance(value, float) and not np.isfinite(value):
            return {"__float__": repr(value)}
        return value
    if isinstance(value, np.generic):
        return {"__scalar__": _encode(np.asarray(value), buffers)}
    if isinstance(value, np.ndarray):
        if value.dtype.name not in ALLOWED_DTYPES:
            return {"__opaque__": f"numpy.ndarray[{value.dtype}]", "text": _short_repr(value)}
        data = np.asarray(value, order="C")  # not ascontiguousarray: it turns a 0-d array into shape (1,)
        buffers.append(data.tobytes())
        return {"__ndarray__": len(buffers) - 1, "dtype": data.dtype.name, "shape": list(data.shape)}
    if isinstance(value, TensorData):
        return {"__tensor__": _encode(value.array, buffers), "dtype": value.dtype,
                "device": value.device, "requires_grad": value.requires_grad}
    if isinstance(value, DeviceSpec):
        return {"__device__": value.name}
    if isinstance(value, Opaque):
        return {"__opaque__": value.type_name, "text": value.text}
    if isinstance(value, (list, tuple)):
        items = [_encode(v, buffers) for v in value]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"__dict__": {k: _encode(v, buffers) for k, v in value.items()}}
        return {"__opaque__": "dict", "text": _short_repr(value)}
    return {"__opaque__": type(value).__module__ + "." + type(value).__qualname__, "text": _short_repr(value)}


def _short_repr(value: Any, limit: int = 300) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a hostile __repr__ must not break the message
        text = f"<repr failed: {type(exc).__name__}>"
    return text if len(text) <= limit else text[:limit] + "..."


def _array(obj: dict[str, Any], buffers: list[bytes]) -> np.ndarray:
    dtype = obj.get("dtype")
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"dtype {dtype!r} not allowed")
    index, shape = obj["__ndarray__"], obj.get("shape")
    if type(index) is not int or not 0 <= index < len(buffers):
        raise WireError("bad buffer index")
    if not isinstance(shape, list) or len(shape) > MAX_NDIM or not all(type(s) is int and s >= 0 for s in shape):
        raise WireError("bad shape")
    raw = buffers[index]
    if math.prod(shape) * np.dtype(dtype).itemsize != len(raw):  # Python ints: no overflow
        raise WireError("buffer size does not match shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _items(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise WireError(f"a tagged value holds {type(value).__name__}, not {kind.__name__}")
    return value


def _decode(obj: Any, buffers: list[bytes], depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("too deeply nested")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [_decode(v, buffers, depth + 1) for v in obj]
    if not isinstance(obj, dict) or len(obj) == 0:
        raise WireError("unexpected JSON value")
    if "__ndarray__" in obj:
        return _array(obj, buffers)
    if "__scalar__" in obj:
        return _decode(obj["__scalar__"], buffers, depth + 1)[()]
    if "__float__" in obj:
        return float(_items(obj["__float__"], str))
    if "__tuple__" in obj:
        return tuple(_decode(v, buffers, depth + 1) for v in _items(obj["__tuple__"], list))
    if "__dict__" in obj:
        return {str(k): _decode(v, buffers, depth + 1) for k, v in _items(obj["__dict__"], dict).items()}
    if "__tensor__" in obj:
        array = _decode(obj["__tensor__"], buffers, depth + 1)
        if not isinstance(array, np.ndarray):
            raise WireError("a tensor without an array")
        return TensorData(array, str(obj.get("dtype")), str(obj.get("device")), bool(obj.get("requires_grad")))
    if "__device__" in obj:
        return DeviceSpec(str(obj["__device__"]))
    if "__opaque__" in obj:
        return Opaque(str(obj["__opaque__"]), str(obj.get("text", "")))
    raise WireError("unknown tagged value")


def write_message(stream: BinaryIO, message: dict[str, Any]) -> None:
    """Frame: 4-byte header length, JSON header, then each buffer as 8-byte length + bytes."""
    buffers: list[bytes] = []
    payload = _encode(message, buffers)
    header = json.dumps({"payload": payload, "buffers": len(buffers)}).encode()
    stream.write(struct.pack("<I", len(header)))
    stream.write(header)
    for buf in buffers:
        stream.write(struct.pack("<Q", len(buf)))
        stream.write(buf)
    stream.flush()


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(stream: BinaryIO) -> dict[str, Any]:
    """Read one framed message; raises EOFError at end of stream and WireError on garbage."""
    (size,) = struct.unpack("<I", _read_exact(stream, 4))
    if size > MAX_HEADER_BYTES:
        raise WireError("header too large")
    try:
        header = json.loads(_read_exact(stream, size))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise WireError(f"header is not JSON: {type(exc).__name__}") from None
    count = header.get("buffers") if isinstance(header, dict) else None
    if not isinstance(count, int) or not 0 <= count <= 10000:
        raise WireError("bad buffer count")
    buffers, total = [], 0
    for _ in range(count):
        (length,) = struct.unpack("<Q", _read_exact(stream, 8))
        total += length
        if total > MAX_BUFFER_BYTES:
            raise WireError("message too large")
        buffers.append(_read_exact(stream, length))
    try:
        decoded = _decode(header.get("payload"), buffers)
    except WireError:
        raise
    except Exception as exc:  # whatever a malformed reply provokes is the sender's fault, never ours
        raise WireError(f"malformed value ({type(exc).__name__})") from None
    if not isinstance(decoded, dict):
        raise WireError("message is not a dict")
    return decoded
