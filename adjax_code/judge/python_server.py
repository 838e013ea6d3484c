"""The candidate's side of an isolated Python test run (standard library only).

The solution runs in a sandboxed process of its own and serves its names; the tests run in
another (``python_driver.py``) and call them through stubs. This process holds nothing the
verdict depends on: it answers requests, one JSON line each, relayed by the harness over its
standard input (a socket; the harness reads its replies bounded in size and depth).

First line out: ``READY {"names": {name: entry}}`` (what the module defines: ``{"k": "f"}``
a function, ``{"k": "c"}`` a class, ``{"k": "x", "b": [...]}`` an exception class and the
builtin exceptions it derives from, ``{"k": "m", "n": module}`` a module, ``{"k": "v", "v":
value}`` plain data, ``{"k": "o", "t": type}`` anything else), or ``LOAD {"w": "solution",
"e", "m", "t"}`` when the solution raised as it loaded. Requests (``python_wire`` values):

- ``{"op": "call", "n": name | "h": handle, "m": method?, "a": [...], "k": [[key, value]]}``
- ``{"op": "get", "n" | "h", "attr": name}``: the attribute's value, or ``{"m": 1}`` when it
  is a method (then called by ``call`` with ``m``);
- ``{"op": "set", "h", "attr": name, "v": value}``;
- ``DONE``: the last line in; the reply is ``COVERAGE [lines]`` when traced, then the
  process ends.

Replies: ``{"v": value, "u": [[i, value]]}`` (the value, and each list, dict or set argument
as the call left it), ``{"x": {"n", "b", "m", "t"}}`` an exception (type name, builtin
bases, message, frames in the solution), ``{"p": why}`` a value that cannot cross. Instances
of classes the solution defines cross as handles (``{"h": id, "c": name}``).
"""

import json
import os
import sys
import types

from adjax_code.judge import python_wire as wire

_LIMIT = 1000


def _frames(tb):
    out = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == "<solution>":
            out.append(["solution", tb.tb_lineno, str(code.co_name)[:200]])
        tb = tb.tb_next
    return out[-8:]


def _text(obj):
    try:
        return str(obj)[:_LIMIT]
    except BaseException:
        return "<unprintable " + type(obj).__name__ + ">"


def _builtin_bases(cls):
    import builtins

    return [c.__name__ for c in cls.__mro__
            if c.__module__ == "builtins" and issubclass(c, BaseException)
            and getattr(builtins, c.__name__, None) is c]


def _failure(err):
    return {"n": type(err).__name__[:200], "b": _builtin_bases(type(err)), "m": _text(err),
            "t": _frames(err.__traceback__)}


class Server:
    """The solution's module and the objects handed out by handle."""

    def __init__(self, code, module_name=None, coverage=False):
        self.code, self.name = code, module_name
        self.module = types.ModuleType(module_name or "__main__")
        self.objects, self.handles = {}, {}
        self.hits = set() if coverage else None

    def _trace(self, frame, event, arg):
        if frame.f_code.co_filename == "<solution>":
            if event == "line":
                self.hits.add(frame.f_lineno)
            return self._trace
        return None

    def load(self):
        """("READY", manifest) or ("LOAD", failure): runs the solution."""
        if self.name and self.name not in sys.modules:
            sys.modules[self.name] = self.module
        if self.hits is not None:
            sys.settrace(self._trace)
        try:
            exec(compile(self.code, "<solution>", "exec"), self.module.__dict__)
        except BaseException as err:
            payload = _failure(err)
            payload["w"], payload["e"] = "solution", payload.pop("n")
            return "LOAD", payload
        return "READY", {"names": self.manifest()}

    def manifest(self):
        names = {}
        for key, value in list(self.module.__dict__.items()):
            if type(key) is not str or key[:2] == "__" and key[-2:] == "__":
                continue
            names[key] = self._entry(value)
        return names

    def _entry(self, value):
        if isinstance(value, types.ModuleType):
            return {"k": "m", "n": _text(value.__name__)}
        if isinstance(value, type):
            if issubclass(value, BaseException):
                return {"k": "x", "b": _builtin_bases(value)}
            return {"k": "c"}
        if callable(value):
            return {"k": "f"}
        try:
            return {"k": "v", "v": wire.encode(value, self._handle)}
        except (wire.WireError, RecursionError):
            return {"k": "o", "t": type(value).__name__[:200]}

    def _handle(self, obj):
        """A handle for an instance of a class the solution defines, else None."""
        if getattr(type(obj), "__module__", None) != self.module.__name__:
            return None
        key = id(obj)
        if key not in self.handles:
            self.handles[key] = len(self.objects)
            self.objects[len(self.objects)] = obj
        return {"h": self.handles[key], "c": type(obj).__name__}

    def _object(self, ref, name=None):
        if type(ref) is not int or ref not in self.objects:
            raise wire.WireError("no such object")
        return self.objects[ref]

    def _target(self, request):
        if "h" in request:
            return self._object(request["h"])
        name = request.get("n")
        if type(name) is not str or name not in self.module.__dict__:
            raise NameError("name " + repr(name) + " is not defined by the solution")
        return self.module.__dict__[name]

    def answer(self, request):
        """The reply to one request (a dict); never raises."""
        try:
            op = request.get("op")
            target = self._target(request)
            if op == "get":
                value = getattr(target, request["attr"])
                if callable(value) and not isinstance(value, type):
                    return {"m": 1}
                return {"v": self._encode(value)}
            if op == "set":
                setattr(target, request["attr"], wire.decode(request["v"], self._object))
                return {"v": None}
            if "m" in request:
                target = getattr(target, request["m"])
            args = wire.decode(request.get("a", []), self._object)
            kwargs = {k: wire.decode(v, self._object) for k, v in request.get("k", [])}
            got = target(*args, **kwargs)
        except wire.WireError as err:
            return {"p": _text(err)}
        except BaseException as err:
            return {"x": _failure(err)}
        try:
            changed = [[i, self._encode(a)] for i, a in enumerate(args)
                       if type(a) in (list, dict, set)]
            return {"v": self._encode(got), "u": changed}
        except wire.WireError as err:
            return {"p": "returned " + _text(err)}
        except RecursionError:
            return {"p": "returned a value nested too deep"}

    def _encode(self, value):
        return wire.encode(value, self._handle)

    def coverage(self):
        sys.settrace(None)
        return sorted(self.hits) if self.hits is not None else None


def _lines(fd):
    buf = b""
    while True:
        while b"\n" not in buf:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return
            buf += chunk
        line, _, buf = buf.partition(b"\n")
        yield line.decode("utf-8", "replace")


def _send(fd, text):
    data = (text + "\n").encode("utf-8", "surrogatepass")
    while data:
        data = data[os.write(fd, data):]


def serve(code, module_name=None, coverage=False, fd=None):
    """Loads the solution and answers requests until ``DONE``: on ``fd``, or on standard
    input (moved off fd 0, which then reads as empty)."""
    if fd is None:
        fd = os.dup(0)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    server = Server(code, module_name, coverage)
    kind, payload = server.load()
    _send(fd, kind + " " + wire.dumps(payload))
    if kind == "LOAD":
        return
    for line in _lines(fd):
        if line == "DONE":
            break
        try:
            request = json.loads(line)
            reply = server.answer(request) if type(request) is dict else {"p": "bad request"}
        except (ValueError, RecursionError):
            reply = {"p": "bad request"}
        try:
            text = wire.dumps(reply)
        except (ValueError, RecursionError):
            text = wire.dumps({"p": "a value that does not encode"})
        _send(fd, text)
    lines = server.coverage()
    if lines is not None:
        _send(fd, "COVERAGE " + wire.dumps(lines))
