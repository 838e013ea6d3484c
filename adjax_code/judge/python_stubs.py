"""Stand-ins for the solution in the tests' process (standard library only).

``python_driver.py`` runs the tests in a process the candidate never ran in; this module
gives them the solution as the candidate's manifest describes it (``Remote.module``): a stub
for each function, a class stub whose instances are handles (``Proxy``), the exception
classes it defines, its plain constants and the standard modules it imported (imported here,
fresh). Every call goes over the ``Link`` as plain data (``python_wire``) and its reply is
decoded here: nothing the solution returns can run code in this process. The sandbox runs
this file as text (``isolation``), so it keeps to what Python 3.9 understands.
"""

import builtins as _builtins_module
import sys
import types

from adjax_code.judge import python_wire as wire

_LIMIT = 1000
_stdlib = frozenset(getattr(sys, "stdlib_module_names", ()))
_modules = sys.modules
_ModuleType = types.ModuleType
_dict_get = dict.get
_dict_items = dict.items


def _text(obj, limit=_LIMIT):
    """``str(obj)`` cut to ``limit``, never raising."""
    try:
        return str.__getitem__(obj if type(obj) is str else str(obj), slice(0, limit))
    except BaseException:
        return "<unprintable " + _name(type(obj)) + ">"


def _name(cls):
    try:
        return str(type.__dict__["__name__"].__get__(cls))[:200]
    except BaseException:
        return "?"


class SolutionGone(BaseException):
    """The solution's process ended or stopped answering (a BaseException: no ``except
    Exception`` and no ``pytest.raises(Exception)`` in the tests can take it for a result)."""


class NotPlainData(BaseException):
    """The solution returned (or raised with) something that is not plain data."""


class Unavailable:
    """A name the solution binds to an object that cannot cross (not plain data)."""

    def __init__(self, name, kind):
        self._why = (name + " is of type " + kind + " in the solution: not plain data, so "
                     "the tests cannot use it")

    def __getattr__(self, attr):
        raise NotPlainData(self._why)

    def __call__(self, *args, **kwargs):
        raise NotPlainData(self._why)

    def __repr__(self):
        return "<unavailable: " + self._why + ">"


class Proxy:
    """An object that stays in the solution's process, named by handle: attribute reads and
    writes and method calls go there; equality and hashing are by identity (never the
    solution's ``__eq__``) and it has no truth value."""

    def __init__(self, *args, **kwargs):  # the class stub's __new__ did the work
        pass

    def __getattr__(self, attr):
        if attr[:2] == "__" and attr[-2:] == "__":
            raise AttributeError(attr)
        d = object.__getattribute__(self, "__dict__")
        return d["_adjax_remote"].get({"h": d["_adjax_h"]}, attr)

    def __setattr__(self, attr, value):
        d = object.__getattribute__(self, "__dict__")
        d["_adjax_remote"].set({"h": d["_adjax_h"]}, attr, value)

    def _adjax_method(self, name, *args):
        d = object.__getattribute__(self, "__dict__")
        return d["_adjax_remote"].call({"h": d["_adjax_h"], "m": name}, args, {})

    def __bool__(self):
        raise TypeError("the truth of a " + _name(type(self)) + " object from the solution is "
                        "not available to the tests: compare it with `is None` or read its "
                        "data")

    def __len__(self):
        return self._adjax_method("__len__")

    def __iter__(self):
        return iter(self._adjax_method("__iter__"))

    def __getitem__(self, key):
        return self._adjax_method("__getitem__", key)

    def __contains__(self, item):
        return self._adjax_method("__contains__", item)

    def __str__(self):
        return self._adjax_method("__str__")

    def __repr__(self):
        return "<" + _name(type(self)) + " object of the solution>"


class Remote:
    """The stubs of one solution: calls go over the link as plain data."""

    def __init__(self, link):
        self.link = link
        self.classes = {}  # class name -> the tests' stand-in (stub or exception class)
        self.proxies = {}  # handle -> proxy

    def _ref(self, obj):
        if isinstance(obj, Proxy):
            return {"h": object.__getattribute__(obj, "__dict__")["_adjax_h"]}
        return None

    def _proxy(self, ref, class_name):
        got = _dict_get(self.proxies, ref)
        if got is None:
            cls = _dict_get(self.classes, class_name)
            if not (isinstance(cls, type) and issubclass(cls, Proxy)):
                cls = Proxy
            got = object.__new__(cls)
            d = object.__getattribute__(got, "__dict__")
            d["_adjax_h"], d["_adjax_remote"] = ref, self
            self.proxies[ref] = got
        return got

    def _ask(self, request):
        reply = self.link.ask(request)
        if type(reply) is not dict:
            raise SolutionGone("the solution's process sent no answer")
        if "d" in reply:
            raise SolutionGone("the solution's process " + _text(reply["d"]))
        if "p" in reply:
            raise NotPlainData("the solution " + _text(reply["p"]))
        if "x" in reply:
            raise self._exception(reply["x"])
        return reply

    def _value(self, data):
        try:
            return wire.decode(data, self._proxy)
        except (wire.WireError, ValueError, TypeError, RecursionError) as err:
            raise NotPlainData("the solution's reply did not decode: " + _text(err)) from None

    def _encode(self, value):
        try:
            return wire.encode(value, self._ref)
        except (wire.WireError, RecursionError) as err:
            raise NotPlainData("an argument that cannot go to the solution: " + _text(err)
                               ) from None

    def call(self, target, args, kwargs):
        request = dict(target)
        request["op"] = "call"
        request["a"] = self._encode(list(args))
        if kwargs:
            request["k"] = [[k, self._encode(v)] for k, v in _dict_items(kwargs)]
        reply = self._ask(request)
        got = self._value(reply.get("v"))
        for i, after in reply.get("u", ()) if type(reply.get("u")) is list else ():
            if type(i) is int and 0 <= i < len(args):
                _update(args[i], self._value(after))
        return got

    def get(self, target, attr):
        request = dict(target)
        request["op"], request["attr"] = "get", attr
        reply = self._ask(request)
        if reply.get("m"):
            stub = dict(target)
            stub["m"] = attr
            return _function(self, stub, attr)
        return self._value(reply.get("v"))

    def set(self, target, attr, value):
        request = dict(target)
        request["op"], request["attr"] = "set", attr
        request["v"] = self._encode(value)
        self._ask(request)

    def _exception(self, x):
        if type(x) is not dict:
            return NotPlainData("the solution raised something unreadable")
        name = _text(x.get("n", "Exception"), 200)
        cls = _dict_get(self.classes, name)
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            cls = _exception_class(name, x.get("b"))
        try:
            err = cls(_text(x.get("m", "")))
        except BaseException:
            err = _exception_class(name, ())(_text(x.get("m", "")))
        try:
            err._adjax_frames = x.get("t") if type(x.get("t")) is list else []
        except BaseException:
            pass
        return err

    def module(self, name, manifest):
        """The solution's module as the tests see it, from the candidate's manifest."""
        module = _ModuleType(name)
        entries = manifest.get("names") if type(manifest) is dict else None
        if type(entries) is not dict:
            return module
        for key, entry in _dict_items(entries):  # exception classes and class stubs first
            if type(key) is str and type(entry) is dict and entry.get("k") in ("x", "c"):
                self.classes[key] = (_exception_class(key, entry.get("b"))
                                     if entry.get("k") == "x" else _class(self, key))
        for key, entry in _dict_items(entries):
            if type(key) is not str or not key.isidentifier() or type(entry) is not dict \
                    or key[:2] == "__":
                continue
            value = self._binding(key, entry)
            if value is not _NOTHING:
                setattr(module, key, value)
        return module

    def _binding(self, key, entry):
        kind = entry.get("k")
        if kind in ("x", "c"):
            return self.classes[key]
        if kind == "f":
            return _function(self, {"n": key}, key)
        if kind == "m":
            name = entry.get("n")
            if _importable(name):
                try:
                    __import__(name)
                    return _modules[name]
                except BaseException:
                    pass
            return Unavailable(key, "module")
        if kind == "v":
            try:
                return self._value(entry.get("v"))
            except NotPlainData:
                return _NOTHING
        return Unavailable(key, _text(entry.get("t", "?"), 200))


# Standard modules whose import runs a program (a GUI, an installer, a browser, a print).
_PROGRAMS = frozenset(("idlelib", "turtledemo", "ensurepip", "antigravity", "this", "venv"))


def _importable(name):
    """A standard module the tests' process may import for a name the solution binds to
    one: no private or ``__main__`` part, nothing that runs a program when imported."""
    if type(name) is not str:
        return False
    parts = name.split(".")
    return (parts[0] in _stdlib and parts[0] not in _PROGRAMS
            and all(p.isidentifier() and p[:1] != "_" for p in parts))


_NOTHING = object()
_KEPT = {}  # (name, base) -> exception class, so one name is one class


def _exception_class(name, bases):
    """The tests' class for an exception the solution raised: the builtin itself when it is
    one, else a class of that name under its most specific builtin base. An exception
    outside ``Exception``, such as SystemExit, derives from BaseException only, never from
    the real one; ``StopIteration`` and ``StopAsyncIteration`` derive from RuntimeError (a
    real one would end the tests' ``map`` or ``filter`` early: ``all(map(f, xs))`` True)."""
    base = None
    for b in bases if type(bases) is list else ():
        cls = getattr(_builtins_module, b, None) if type(b) is str else None
        if isinstance(cls, type) and issubclass(cls, BaseException):
            base = cls
            break
    if base is not None and issubclass(base, (StopIteration, StopAsyncIteration)):
        base = RuntimeError
    if base is not None and not issubclass(base, Exception):
        base = BaseException
    if base is None:
        base = Exception
    if base is not BaseException and base.__name__ == name:
        return base
    key = (name, base)
    got = _dict_get(_KEPT, key)
    if got is None:
        got = _KEPT[key] = type(name if name.isidentifier() else "RemoteError", (base,), {})
    return got


def _function(remote, target, name):
    def stub(*args, **kwargs):
        return remote.call(target, args, kwargs)
    stub.__name__ = stub.__qualname__ = name
    return stub


def _class(remote, name):
    """A stand-in for a class of the solution: calling it makes the object there."""
    class Meta(type):
        def __getattr__(cls, attr):
            if attr[:2] == "__" and attr[-2:] == "__":
                raise AttributeError(attr)
            return remote.get({"n": name}, attr)

    def new(cls, *args, **kwargs):
        return remote.call({"n": name}, args, kwargs)
    return Meta(name, (Proxy,), {"__new__": new, "__module__": "solution"})


def _update(arg, after):
    """The tests' list, dict or set argument as the solution's call left it."""
    t = type(arg)
    if t is list and type(after) is list:
        arg[:] = after
    elif (t is dict and type(after) is dict) or (t is set and type(after) is set):
        arg.clear()
        arg.update(after)


# -- the link to the harness ------------------------------------------------------------

class Link:
    """Lines on the socket the harness gave as standard input (moved off fd 0, which then
    reads as empty): records out, calls out and their replies in."""

    def __init__(self, fd):
        import json
        import os

        self.fd, self.buf, self.os, self.loads = fd, b"", os, json.loads

    @classmethod
    def from_stdin(cls):
        import os

        fd = os.dup(0)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        return cls(fd)

    def report(self, *fields):
        self._send(" ".join([_text(f, 1 << 30) for f in fields]))

    def _send(self, text):
        data = (text + "\n").encode("utf-8", "surrogatepass")
        while data:
            data = data[self.os.write(self.fd, data):]

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("utf-8", "replace")

    def ask(self, request):
        self._send("CALL " + wire.dumps(request))
        line = self._line()
        return None if line is None else self.loads(line)

    def manifest(self):
        """The candidate's manifest, as the harness relays it (``START <json>``)."""
        line = self._line()
        if line is None or not line.startswith("START "):
            return {}
        return self.loads(line[6:])
