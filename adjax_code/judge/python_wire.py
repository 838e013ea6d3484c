"""Plain data on the wire between a Python candidate and its tests (standard library only).

The candidate's process (``python_server.py``) and the tests' process (``python_driver.py``)
exchange values as one JSON line each, relayed by the harness, which bounds their size and
depth (``verdict.load_value``). Only plain data crosses: ``None``, ``bool``, ``int`` (any
size), ``float`` (NaN, infinities and -0.0 included), ``str``, ``bytes``, ``complex``,
``list``, ``tuple``, ``dict``, ``set``, ``frozenset`` and ``range``, nested at most
``MAX_DEPTH`` deep. JSON's own values stand for themselves; every other value is an object
with one key naming its kind (``{"t": [...]}`` a tuple, ``{"d": [[k, v], ...]}`` a dict).
A handle (``{"h": id, "c": class name}``) names an object that stays in the candidate's
process; an iterator crosses drained into a list (``{"g": [...]}``).

Nothing here can run code: decoding builds only the types above, and a malformed value is a
``WireError``. The sandbox runs this file as text (``verdict``), so it keeps to what Python
3.9 understands.
"""

MAX_DEPTH = 100  # nesting of containers in one value
MAX_ITEMS = 100_000  # items drained from one iterator
_BIG = 10 ** 1000  # integers at least this large cross as hex (no digit limit on base 16)
_ITERATORS = ("generator", "map", "filter", "zip", "enumerate", "reversed", "list_iterator",
              "tuple_iterator", "range_iterator", "dict_keyiterator", "dict_valueiterator",
              "dict_itemiterator", "set_iterator", "str_ascii_iterator", "str_iterator",
              "itertools.chain", "chain", "islice", "count", "cycle", "repeat")


class WireError(ValueError):
    """A value that cannot cross: not plain data, too deep, or malformed on arrival."""


def encode(value, handle=None, depth=0):
    """``value`` as JSON-ready data. ``handle(obj)`` gives a handle for an object that is
    not plain data (or None to refuse it); without it such objects are refused."""
    if depth > MAX_DEPTH:
        raise WireError("nested more than " + str(MAX_DEPTH) + " deep")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if -_BIG < value < _BIG else {"i": hex(value)}
    if t is float:
        return value
    if t is list:
        return [encode(v, handle, depth + 1) for v in value]
    if t is tuple:
        return {"t": [encode(v, handle, depth + 1) for v in value]}
    if t is dict:
        return {"d": [[encode(k, handle, depth + 1), encode(v, handle, depth + 1)]
                      for k, v in value.items()]}
    if t is set or t is frozenset:
        return {"s" if t is set else "f": [encode(v, handle, depth + 1) for v in value]}
    if t is bytes:
        return {"b": value.hex()}
    if t is complex:
        return {"c": [value.real, value.imag]}
    if t is range:
        return {"r": [value.start, value.stop, value.step]}
    if t.__name__ in _ITERATORS and t.__module__ in ("builtins", "itertools"):
        items = []
        for item in value:
            if len(items) >= MAX_ITEMS:
                raise WireError("an iterator of more than " + str(MAX_ITEMS) + " items")
            items.append(encode(item, handle, depth + 1))
        return {"g": items}
    ref = handle(value) if handle is not None else None
    if ref is None:
        raise WireError("not plain data: " + _type_name(value))
    return ref


def _type_name(value):
    t = type(value)
    module = getattr(t, "__module__", "")
    name = getattr(t, "__qualname__", "?")
    return name if module in ("builtins", "__main__", None) else module + "." + name


def decode(data, handle=None, depth=0):
    """The value ``encode`` wrote; ``handle(id, class name)`` makes the stand-in for a
    handle (without it a handle is a ``WireError``)."""
    if depth > MAX_DEPTH:
        raise WireError("nested more than " + str(MAX_DEPTH) + " deep")
    t = type(data)
    if data is None or t is bool or t is str or t is int or t is float:
        return data
    if t is list:
        return [decode(v, handle, depth + 1) for v in data]
    if t is dict and "h" in data and handle is not None and len(data) <= 2:
        return handle(data["h"], data.get("c"))
    if t is not dict or len(data) != 1:
        raise WireError("malformed value")
    (kind, body), = data.items()
    if kind == "t":
        return tuple(decode(v, handle, depth + 1) for v in _list(body))
    if kind == "d":
        out = {}
        for pair in _list(body):
            if type(pair) is not list or len(pair) != 2:
                raise WireError("malformed dict")
            out[_hashable(decode(pair[0], handle, depth + 1))] = decode(pair[1], handle,
                                                                         depth + 1)
        return out
    if kind in ("s", "f"):
        items = [_hashable(decode(v, handle, depth + 1)) for v in _list(body)]
        return set(items) if kind == "s" else frozenset(items)
    if kind == "g":
        return iter([decode(v, handle, depth + 1) for v in _list(body)])
    if kind == "i" and type(body) is str:
        return int(body, 16)
    if kind == "b" and type(body) is str:
        return bytes.fromhex(body)
    if kind == "c" and type(body) is list and len(body) == 2 and all(
            type(x) in (int, float) for x in body):
        return complex(body[0], body[1])
    if kind == "r" and type(body) is list and len(body) == 3 and all(
            type(x) is int for x in body) and body[2] != 0:
        return range(body[0], body[1], body[2])
    raise WireError("malformed value")


def _list(body):
    if type(body) is not list:
        raise WireError("malformed value")
    return body


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        raise WireError("an unhashable key") from None
    return value


def dumps(data):
    """One line of JSON (NaN and the infinities as Python's json writes them)."""
    import json

    return json.dumps(data, separators=(",", ":"), allow_nan=True)
