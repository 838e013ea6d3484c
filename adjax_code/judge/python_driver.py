"""The tests' side of an isolated Python test run (standard library only).

The solution never runs in this process. It runs in a sandboxed process of its own
(``python_server.py``) and serves its names; this driver runs the tests in a clean sandboxed
process and gives them stubs that call the solution through the harness, which relays plain
data only (``python_wire``). The tests' ``abs``, ``sorted``, ``math``, ``unittest`` and
``assert`` are their own, and every value the solution returns is decoded here into plain
data (or a handle for an instance of a class the solution defines), so nothing it returns
can lie about equality, arithmetic or truth.

``verdict.plan_python_tests`` decides, outside the sandbox, which statements of the tests are
cases and what they are called; this driver follows that plan (``spec``). ``start(spec,
link)`` parses and compiles the tests before the solution's names are known and returns
``go(manifest)``, which:

1. builds the solution's module from the candidate's manifest: a stub for each function and
   class, the exceptions it defines, its plain-data constants, and the standard modules it
   imported (imported here, fresh); ``import <module>`` in the tests gives this module, and
   the tests' namespace starts with its names (never shadowing a builtin), or with the names
   ``spec["expose"]`` lists after running ``spec["prelude"]`` (HumanEval's prompt);
2. runs the tests' statements one by one; each top-level ``assert`` is a case as it runs;
   each planned ``test*`` function, unittest class and ``Test*`` class is captured right
   after its definition runs;
3. then runs every captured case (module, class and method set-ups honoured).

Records (on the link): ``CASE <i> V true`` passed; ``CASE <i> X {"e", "m", "t"}`` failed
(exception type, message, frames in the tests and the solution); ``CASE <i> S {"m"}``
skipped; ``LOAD {"w", "e", "m", "t"}`` the tests' module body raised: nothing more runs and
the program exits with status 1.
"""

import ast
import builtins as _builtins_module
import sys
import types

from adjax_code.judge import python_stubs as stubs

_sys_exit = sys.exit
_exc_info = sys.exc_info
_ModuleType = types.ModuleType
_FunctionType = types.FunctionType
_MethodType = types.MethodType
_str_slice = str.__getitem__
_type_name = type.__dict__["__name__"].__get__
_dict_get = dict.get
_dict_items = dict.items
_FILES = {"<tests>": "tests", "<solution>": "solution", "<prompt>": "tests"}
_LIMIT = 1000


# -- text and JSON that no patched module can change --------------------------------------

def _text(obj, limit=_LIMIT):
    """``str(obj)`` cut to ``limit``, always an exact ``str``."""
    try:
        s = obj if type(obj) is str else str(obj)
        return _str_slice(s, slice(0, limit))
    except BaseException:
        return "<unprintable " + _name(type(obj)) + ">"


def _name(cls):
    try:
        return _str_slice(_type_name(cls), slice(0, 200))
    except BaseException:
        return "?"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_str(s):
    out = []
    for ch in s:
        esc = _dict_get(_ESCAPES, ch)
        if esc is not None:
            out.append(esc)
            continue
        o = ord(ch)
        if 0x20 <= o < 0x7F:
            out.append(ch)
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            o -= 0x10000
            out.append(f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}")
    return '"' + "".join(out) + '"'


def _json(value):
    if value is None:
        return "null"
    t = type(value)
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return int.__repr__(value)
    if t is list or t is tuple:
        return "[" + ",".join([_json(v) for v in value]) + "]"
    if t is dict:
        return "{" + ",".join([_json_str(k) + ":" + _json(v)
                               for k, v in _dict_items(value)]) + "}"
    return _json_str(_text(value))


# -- outcomes ----------------------------------------------------------------------------

class _Skip(BaseException):
    """pytest.skip, pytest.mark.skip/skipif/xfail: the case neither passes nor fails."""


class Failed(BaseException):
    """pytest.fail (a BaseException, as in pytest, so ``except Exception`` lets it by)."""


def _frames(tb, err=None):
    out = []
    while tb is not None:
        code = tb.tb_frame.f_code
        where = _dict_get(_FILES, code.co_filename)
        if where is not None:
            out.append([where, tb.tb_lineno, _text(code.co_name, 200)])
        tb = tb.tb_next
    remote = getattr(err, "_adjax_frames", None)  # where the solution raised it
    if type(remote) is list:
        out += [f for f in remote if type(f) is list and len(f) == 3 and f[0] == "solution"
                and type(f[1]) is int]
    return out[-8:]


def _failure(err, tb, prefix=""):
    return {"e": _name(type(err)), "m": prefix + _text(err), "t": _frames(tb, err)}


def _outcome(body, *args):
    """None when ``body(*args)`` returned None (passed); what it returned otherwise
    (("X" | "S", payload)); ("X", ...) when it raised, ("S", ...) on a skip."""
    try:
        return body(*args)
    except _Skip as err:
        return "S", {"m": _text(err)}
    except BaseException as err:
        return "X", _failure(err, _exc_info()[2])


def _call(fn, *args):
    fn(*args)


def _hook(fn, arg):
    """A set-up or tear-down hook, given ``arg`` when it takes a parameter."""
    target, bound = fn, 0
    if type(fn) is _MethodType:
        target, bound = fn.__func__, 1
    code = getattr(target, "__code__", None)
    if code is not None and code.co_argcount - bound >= 1:
        fn(arg)
    else:
        fn()


def _returned(name, got):
    kind = _name(type(got))
    if kind == "coroutine":
        return name + " is a coroutine function: async tests are not supported"
    return (name + " returned a value (" + kind + ") instead of None: check values with "
            "assert (a returned value checks nothing)")


def _copy(obj):
    """A private copy of a test function (a later change to the original's ``__code__`` or
    binding does not reach it)."""
    if type(obj) is not _FunctionType:
        return obj
    f = _FunctionType(obj.__code__, obj.__globals__, obj.__name__, obj.__defaults__,
                      obj.__closure__)
    f.__kwdefaults__ = obj.__kwdefaults__
    f.__qualname__ = obj.__qualname__
    f.__dict__.update(obj.__dict__)
    return f


def _method(cls, name):
    """A copy of the function ``name`` as the class defines or inherits it, or None."""
    try:
        for klass in cls.__mro__:
            raw = klass.__dict__.get(name)
            if raw is not None:
                return _copy(raw) if type(raw) is _FunctionType else None
    except BaseException:
        return None
    return None


# -- messages of failed asserts ---------------------------------------------------------

def _short(value):
    try:
        s = repr(value)
    except BaseException:
        return "?"
    return s if len(s) <= 200 else _str_slice(s, slice(0, 200)) + "..."


def _say(left, op, right):
    """The message of a failed ``assert left <op> right``."""
    return "assert " + _short(left) + " " + op + " " + _short(right)


_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}


class _Explain(ast.NodeTransformer):
    """Gives a lone comparison ``assert a <op> b`` without a message one that shows both
    values (as pytest does)."""

    def __init__(self, say, left, right):
        self.say, self.left, self.right = say, left, right

    def visit_Assert(self, node):
        test = node.test
        if (node.msg is None and isinstance(test, ast.Compare) and len(test.ops) == 1
                and type(test.ops[0]) in _OPS):
            left, right = test.left, test.comparators[0]
            test.left = ast.NamedExpr(ast.Name(self.left, ast.Store()), left)
            test.comparators = [ast.NamedExpr(ast.Name(self.right, ast.Store()), right)]
            node.msg = ast.Call(ast.Name(self.say, ast.Load()),
                                [ast.Name(self.left, ast.Load()),
                                 ast.Constant(_OPS[type(test.ops[0])]),
                                 ast.Name(self.right, ast.Load())], [])
        return node


# -- the pytest stand-in -----------------------------------------------------------------

class _Approx:
    """pytest.approx: numbers within rel (1e-6) or abs (1e-12) of the expected value, also
    inside lists, tuples and dicts."""

    __hash__ = None

    def __init__(self, expected, rel=None, abs=None, nan_ok=False):  # noqa: A002
        self.expected, self.rel, self.abs, self.nan_ok = expected, rel, abs, nan_ok

    def __repr__(self):
        return "approx(" + _short(self.expected) + ")"

    def __eq__(self, actual):
        return self._close(actual, self.expected)

    def __ne__(self, actual):
        return not self.__eq__(actual)

    def _close(self, actual, expected):
        te, ta = type(expected), type(actual)
        numbers = (int, float, complex)
        if te in numbers and ta in numbers:
            if actual == expected:
                return True
            if expected != expected:  # nan
                return self.nan_ok and actual != actual
            if abs(expected) == float("inf") or abs(actual) == float("inf"):
                return False
            tolerance = 1e-12 if self.abs is None else self.abs
            if not (self.rel is None and self.abs is not None):
                rel = 1e-6 if self.rel is None else self.rel
                tolerance = max(rel * abs(expected), tolerance)
            return abs(expected - actual) <= tolerance
        if te in (list, tuple) and ta in (list, tuple):
            return len(actual) == len(expected) and all(
                self._close(a, e) for a, e in zip(actual, expected))  # noqa: B905
        if te is dict and ta is dict:
            return actual.keys() == expected.keys() and all(
                self._close(actual[k], expected[k]) for k in expected)
        return actual == expected




class _ExceptionInfo:
    def __init__(self):
        self.type = self.value = self.tb = None

    @property
    def typename(self):
        return _name(self.type)

    def match(self, pattern):
        import re

        text = _text(self.value)
        if not re.search(pattern, text):
            raise AssertionError("Regex pattern did not match.\n Regex: " + _short(pattern)
                                 + "\n Input: " + _short(text))
        return True

    def __repr__(self):
        return "<ExceptionInfo " + _name(self.type) + ">"


class _Raises:
    def __init__(self, expected, match):
        self.expected, self.match, self.info = expected, match, _ExceptionInfo()

    def __enter__(self):
        return self.info

    def __exit__(self, kind, value, tb):
        if kind is None:
            wanted = self.expected if type(self.expected) is tuple else (self.expected,)
            raise Failed("DID NOT RAISE " + " or ".join(_name(w) for w in wanted))
        if not issubclass(kind, self.expected):
            return False
        self.info.type, self.info.value, self.info.tb = kind, value, tb
        if self.match is not None:
            self.info.match(self.match)
        return True


def _raises(expected, *args, match=None, **kwargs):
    ctx = _Raises(expected, match)
    if not args:
        if kwargs:
            raise TypeError("pytest.raises: unexpected keyword arguments " + _short(kwargs))
        return ctx
    with ctx:
        args[0](*args[1:], **kwargs)
    return ctx.info


def _skipping(obj, reason):
    if isinstance(obj, type):
        obj.__adjax_skip__ = reason
        return obj

    def skipped(*args, **kwargs):
        raise _Skip(reason)
    return skipped


def _xfailing(fn, reason, raises, strict):
    def xfail(*args, **kwargs):
        try:
            fn(*args, **kwargs)
        except _Skip:
            raise
        except BaseException as err:
            if raises is not None and not isinstance(err, raises):
                raise
            raise _Skip("xfail: " + (reason or _name(type(err)))) from None
        if strict:
            raise Failed("[XPASS(strict)] " + reason)
    return xfail


class _MarkDecorator:
    def __init__(self, name, args=(), kwargs=None):
        self.name, self.args, self.kwargs = name, args, kwargs or {}

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]):  # decorating
            return self._apply(args[0])
        return _MarkDecorator(self.name, args, kwargs)

    def _apply(self, obj):
        args, kwargs = self.args, self.kwargs
        if self.name == "skip":
            return _skipping(obj, kwargs.get("reason") or (args[0] if args else
                                                          "unconditional skip"))
        if self.name == "skipif":
            condition = args[0] if args else kwargs.get("condition", True)
            if isinstance(condition, str):
                raise TypeError("pytest.mark.skipif: string conditions are not supported")
            return _skipping(obj, kwargs.get("reason", "")) if condition else obj
        if self.name == "xfail":
            condition = args[0] if args else kwargs.get("condition", True)
            if not condition or isinstance(obj, type):
                return obj
            return _xfailing(obj, kwargs.get("reason", ""), kwargs.get("raises"),
                             kwargs.get("strict", False))
        return obj


class _Mark:
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _MarkDecorator(name)


def _pytest_module():
    m = _ModuleType("pytest", "adjax's stand-in for pytest in the sandbox: raises, approx, "
                              "fail, skip, importorskip, mark, fixture")

    def skip(reason="", *, allow_module_level=False, msg=None):
        raise _Skip(msg or reason)
    skip.Exception = _Skip

    def fail(reason="", pytrace=True, msg=None):
        raise Failed(msg or reason)
    fail.Exception = Failed

    def importorskip(modname, minversion=None, reason=None):
        import importlib

        try:
            return importlib.import_module(modname)
        except ImportError:
            raise _Skip(reason or "could not import " + _short(modname)) from None

    def fixture(*args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]):
            return args[0]
        return lambda fn: fn

    def missing(name):
        raise AttributeError("pytest." + name + " is not available: adjax runs tests without "
                             "pytest (available: raises, approx, fail, skip, importorskip, "
                             "mark, fixture)")

    m.raises, m.approx, m.fail, m.skip = _raises, _Approx, fail, skip
    m.importorskip, m.fixture, m.mark, m.__getattr__ = importorskip, fixture, _Mark(), missing
    return m


def _tests_import(private, real_import):
    """The tests' ``__import__``: pytest's stand-in and the solution by name, else the
    usual."""
    def imp(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
        if level == 0 and type(name) is str:
            module = _dict_get(private, name)
            if module is not None:
                if fromlist and "*" in fromlist:
                    return _star_view(module, globals)
                if fromlist:
                    return module
                return _dict_get(private, name.partition(".")[0], module)
        return real_import(name, globals, locals, fromlist, level)
    return imp


def _star_view(module, into):
    """What ``from <solution> import *`` binds in the tests' namespace ``into``: the
    solution's public names, less builtins and the names the tests already hold (their own
    ``import math``, helpers), so a star import never swaps what the tests call."""
    view = _ModuleType(module.__name__)
    taken = into if type(into) is dict else {}
    names = []
    for key, value in list(_dict_items(module.__dict__)):
        setattr(view, key, value)
        if key[:1] != "_" and key not in _builtins_module.__dict__ and key not in taken:
            names.append(key)
    view.__all__ = names
    return view


def _result_class(unittest):
    """A unittest result that keeps the first failure (or the skip) of one test."""
    base = unittest.TestResult

    class Result(base):
        def __init__(self):
            base.__init__(self)
            self.adjax, self.adjax_ok = None, False

        def _fail(self, err, prefix=""):
            if self.adjax is None or self.adjax[0] == "S":
                try:
                    value, tb = err[1], err[2]
                except BaseException:
                    value, tb = err, None
                self.adjax = "X", _failure(value, tb, prefix)

        def addError(self, test, err):
            self._fail(err)

        def addFailure(self, test, err):
            self._fail(err)

        def addSubTest(self, test, subtest, err):
            if err is not None:
                try:
                    label = _text(subtest._subDescription(), 200) + ": "
                except BaseException:
                    label = ""
                self._fail(err, label)

        def addSkip(self, test, reason):
            if self.adjax is None:
                self.adjax = "S", {"m": _text(reason)}

        def addSuccess(self, test):
            self.adjax_ok = True

        def addExpectedFailure(self, test, err):
            self.adjax_ok = True

        def addUnexpectedSuccess(self, test):
            self.adjax = "X", {"e": "UnexpectedSuccess",
                               "m": "marked expectedFailure, but it passed", "t": []}

        def outcome(self):
            if self.adjax is not None:
                return self.adjax
            if self.adjax_ok:
                return None
            return "X", {"e": "", "m": "the test reported no result", "t": []}
    return Result


# -- running -----------------------------------------------------------------------------

class _Run:
    def __init__(self, spec, link):
        self.spec, self.link, self.report = spec, link, link.report
        tag = spec["tag"]
        self.private = {"pytest": _pytest_module()}
        self.result_class = None
        if "unittest" in spec["preload"]:
            import unittest

            self.result_class = _result_class(unittest)
        builtins = dict(_builtins_module.__dict__)
        builtins["__import__"] = _tests_import(self.private, _builtins_module.__import__)
        self.ns = {"__name__": "tests", "__builtins__": builtins}
        self.names = {"_adjax_m_" + tag: _say}
        self.done = set()
        self.problem = None
        try:
            tree = ast.parse(spec["tests"], "<tests>")
            tree = _Explain("_adjax_m_" + tag, "_adjax_a_" + tag, "_adjax_b_" + tag).visit(tree)
            ast.fix_missing_locations(tree)
            self.codes = [compile(ast.Module(body=[s], type_ignores=[]), "<tests>", "exec")
                          for s in tree.body]
        except BaseException as err:
            self.codes, self.problem = [], err
        if self.problem is None and len(self.codes) != len(spec["steps"]):
            self.problem = RuntimeError("the tests parse differently in the sandbox's Python")

    def case(self, i, outcome):
        if i in self.done:
            return
        self.done.add(i)
        if outcome is None:
            self.report("CASE", i, "V", "true")
        else:
            self.report("CASE", i, outcome[0], _json(outcome[1]))

    def load_failed(self, what, err, tb):
        payload = _failure(err, tb)
        payload["w"] = what
        self.report("LOAD", _json(payload))
        _sys_exit(1)

    def go(self, manifest):
        name = self.spec["module"]
        module = stubs.Remote(self.link).module(name or "__main__", manifest)
        if name:
            self.private[name] = module
        if self.problem is not None:
            self.load_failed("tests", self.problem, None)
        ns = self.ns
        expose = self.spec.get("expose")
        prelude = self.spec.get("prelude")
        if prelude:
            try:
                exec(compile(prelude, "<prompt>", "exec"), ns)
            except BaseException as err:
                self.load_failed("tests", err, _exc_info()[2])
        shadowed = ns["__builtins__"]
        for key, value in list(_dict_items(module.__dict__)):
            if key[:2] == "__" and key[-2:] == "__":
                continue
            if key in expose if expose is not None else key not in shadowed:
                ns[key] = value
        ns.update(self.names)
        deferred = []
        for step, code_obj in zip(self.spec["steps"], self.codes):  # noqa: B905 (3.9 too)
            kind = step[0]
            if kind == "assert":
                self.case(step[1], _outcome(exec, code_obj, ns))
                continue
            try:
                exec(code_obj, ns)
            except _Skip as err:
                self.skip_all(_text(err))
                return
            except BaseException as err:
                self.load_failed("tests", err, _exc_info()[2])
            if kind == "func":
                deferred.append((kind, _copy(_dict_get(ns, step[1])), step[1], step[2]))
            elif kind in ("unittest", "class"):
                cls = _dict_get(ns, step[1])
                cases = [(i, m, _method(cls, m), kwargs) for i, m, kwargs in step[2]]
                deferred.append((kind, cls, step[1], cases))
        self.run_deferred(deferred)

    def skip_all(self, reason):
        for i in range(self.spec["cases"]):
            self.case(i, ("S", {"m": reason}))

    def run_deferred(self, deferred):
        ns = self.ns
        setup = _dict_get(ns, "setup_module") or _dict_get(ns, "setUpModule")
        teardown = _dict_get(ns, "teardown_module") or _dict_get(ns, "tearDownModule")
        before = None
        if deferred and setup is not None:
            before = _prefixed(_outcome(_hook, setup, None), "module set-up: ")
        for kind, obj, name, cases in deferred:
            if before is not None:
                for case in cases:
                    self.case(case[0], before)
            elif kind == "func":
                self.run_function(obj, name, cases)
            elif kind == "unittest":
                self.run_unittest(obj, cases)
            else:
                self.run_class(obj, cases)
        if deferred and before is None and teardown is not None:
            _outcome(_hook, teardown, None)

    def run_function(self, fn, name, cases):
        setup = _dict_get(self.ns, "setup_function")
        teardown = _dict_get(self.ns, "teardown_function")
        for i, kwargs in cases:
            def body(kwargs=kwargs):
                if setup is not None:
                    _hook(setup, fn)
                try:
                    got = fn(**(kwargs or {}))
                    if got is not None:
                        raise AssertionError(_returned(name, got))
                finally:
                    if teardown is not None:
                        _hook(teardown, fn)
            self.case(i, _outcome(body))

    def run_unittest(self, cls, cases):
        skipped = bool(getattr(cls, "__unittest_skip__", False))
        before = None if skipped else _prefixed(
            _outcome(lambda: _call(cls.setUpClass)), "setUpClass: ")
        for i, name, fn, _ in cases:
            if before is not None:
                self.case(i, before)
            else:
                self.case(i, _outcome(self.unittest_one, cls, name, fn))
        if before is None and not skipped:
            _outcome(lambda: _call(cls.tearDownClass))
            _outcome(lambda: _call(getattr(cls, "doClassCleanups", lambda: None)))

    def unittest_one(self, cls, name, fn):
        if self.result_class is None:
            raise RuntimeError("unittest was not loaded for these tests")
        result = self.result_class()
        test = cls(name)
        if fn is not None:
            own = test.__dict__
            own[name] = _MethodType(fn, test)
            if not hasattr(cls, "_callMaybeAsync"):  # not an IsolatedAsyncioTestCase
                own["_callTestMethod"] = _checked(name)
        test.run(result)
        return result.outcome()

    def run_class(self, cls, cases):
        reason = getattr(cls, "__adjax_skip__", None)
        if reason is not None:
            for case in cases:
                self.case(case[0], ("S", {"m": _text(reason)}))
            return
        setup = getattr(cls, "setup_class", None)
        before = None if setup is None else _prefixed(_outcome(_hook, setup, cls),
                                                      "setup_class: ")
        for i, name, fn, kwargs in cases:
            if before is not None:
                self.case(i, before)
                continue

            def body(name=name, fn=fn, kwargs=kwargs):
                inst = cls()
                method = _MethodType(fn, inst) if fn is not None else getattr(inst, name)
                setup_method = getattr(inst, "setup_method", None)
                teardown_method = getattr(inst, "teardown_method", None)
                if setup_method is not None:
                    _hook(setup_method, method)
                try:
                    got = method(**(kwargs or {}))
                    if got is not None:
                        raise AssertionError(_returned(name, got))
                finally:
                    if teardown_method is not None:
                        _hook(teardown_method, method)
            self.case(i, _outcome(body))
        teardown = getattr(cls, "teardown_class", None)
        if before is None and teardown is not None:
            _outcome(_hook, teardown, cls)


def _checked(name):
    def call(method):
        got = method()
        if got is not None:
            raise AssertionError(_returned(name, got))
    return call


def _prefixed(outcome, prefix):
    if outcome is None or outcome[0] != "X":
        return outcome
    payload = dict(outcome[1])
    payload["m"] = prefix + payload.get("m", "")
    return "X", payload


def start(spec, link):
    """Parses and compiles the tests; returns ``go(manifest)``, which runs them against the
    solution the manifest describes, through ``link``."""
    return _Run(spec, link).go
