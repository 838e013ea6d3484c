"""Stubs of a Java solution's declarations, for tests that run where the candidate never ran.

``declarations`` reads the solution with tree-sitter and keeps identifiers and types only:
its classes (top level and static nested), their non-private static methods, constructors,
instance methods and static fields, its exception classes and the constants of its enums.
``stubs`` writes classes of
the same names for the tests' program whose every method is a call through the relay
(``java_link.java``, ``AdjaxLink``); no byte of the candidate's text enters it: types are
re-rendered from their names (``java.util.List<java.lang.Integer>``), every parameter is
renamed.

Types that cross: primitives and their boxes, ``String``, ``BigInteger``, ``BigDecimal``,
the solution's enums (by constant name), arrays, ``java.util`` lists, sets, queues and maps
of them, and the solution's own classes (as handles, identity equality). What cannot be
stubbed (a generic class or method, an interface, a record, an enum's methods, a callback
type such as ``Function``, ``Object``, a wildcard, an inner class) is left out with the
reason; ``equals`` and ``hashCode`` are never stubbed, so a handle's equality is identity in
the tests.
"""

from __future__ import annotations

import dataclasses
import re

from adjax_code.lang import syntax

SCALARS = {"int", "long", "short", "byte", "char", "boolean", "double", "float"}
BOXES = {"Integer": "java.lang", "Long": "java.lang", "Short": "java.lang",
         "Byte": "java.lang", "Character": "java.lang", "Boolean": "java.lang",
         "Double": "java.lang", "Float": "java.lang", "String": "java.lang",
         "BigInteger": "java.math", "BigDecimal": "java.math"}
COLLECTIONS = {"List", "ArrayList", "LinkedList", "Collection", "Set", "HashSet",
               "LinkedHashSet", "TreeSet", "SortedSet", "NavigableSet", "Queue", "Deque",
               "ArrayDeque", "PriorityQueue", "Stack", "Vector"}
MAPS = {"Map", "HashMap", "LinkedHashMap", "TreeMap", "SortedMap", "NavigableMap"}
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,99}")
_THROWABLE = re.compile(r"(?:java\.lang\.)?\w*(?:Exception|Error|Throwable)")
_QUALIFIED = re.compile(r"(?:[A-Za-z_$][\w$]*\.){0,6}[A-Za-z_$][\w$]*")


class Unstubbable(ValueError):
    """A declaration whose types cannot cross the relay."""


@dataclasses.dataclass
class Member:
    """A method, constructor (``name == "<init>"``) or static field (``params is None``)."""

    name: str
    static: bool
    params: tuple[tuple[str, str], ...] | None  # (descriptor, Java type)
    ret: tuple[str, str]  # (descriptor, Java type); ("void", "void") for none
    throws: tuple[str, ...] = ()
    varargs: bool = False


@dataclasses.dataclass
class JClass:
    """One class of the solution: its binary name (``Outer$Inner``), the dotted name the
    tests use, what it extends, whether it is an exception, its members and nested
    classes."""

    name: str
    binary: str
    dotted: str
    nested: bool
    parent: str | None = None  # the superclass as written (re-rendered), or None
    error: bool = False
    members: list[Member] = dataclasses.field(default_factory=list)
    inner: list[JClass] = dataclasses.field(default_factory=list)
    has_constructor: bool = False
    constants: tuple[str, ...] | None = None  # an enum's constants (None: not an enum)


@dataclasses.dataclass
class Declarations:
    """What the tests may call: the stubbable classes, what was left out and why, and the
    names of top-level types (a solution's ``Main`` would clash with the launcher)."""

    classes: list[JClass]
    skipped: list[str]
    top_level: set[str]

    def handled(self) -> list[str]:
        """Binary names of the classes whose objects cross as handles."""
        return [c.binary for c in _walk(self.classes) if not c.error and c.constants is None]

    def errors(self) -> list[str]:
        """Binary names of the solution's exception classes."""
        return [c.binary for c in _walk(self.classes) if c.error]


def _walk(classes):
    for c in classes:
        yield c
        yield from _walk(c.inner)


def _text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _modifiers(node) -> set[str]:
    for child in node.children:
        if child.type == "modifiers":
            return {_text(c) for c in child.children if c.type != "marker_annotation"
                    and c.type != "annotation"}
    return set()


class _Scope:
    """Names of the solution's types as seen from one class: nested classes first, then
    the enclosing classes' nested classes, then the top level."""

    def __init__(self, types: dict[str, object], parent: _Scope | None = None):
        self.types, self.parent = types, parent

    def find(self, name: str):
        scope = self
        while scope is not None:
            if name in scope.types:
                return scope.types[name]
            scope = scope.parent
        return None


def _dims(node) -> int:
    return _text(node).count("[") if node is not None else 0


def describe(node, scope: _Scope) -> tuple[str, str]:
    """(descriptor, Java type text) of a type node, or ``Unstubbable`` saying why."""
    kind = node.type
    if kind in ("integral_type", "floating_point_type", "boolean_type"):
        return _text(node), _text(node)
    if kind == "void_type":
        return "void", "void"
    if kind == "array_type":
        desc, text = describe(node.child_by_field_name("element"), scope)
        n = _dims(node.child_by_field_name("dimensions"))
        return desc + "[]" * n, text + "[]" * n
    if kind in ("type_identifier", "scoped_type_identifier"):
        return _named(_text(node), scope)
    if kind == "generic_type":
        base = next((c for c in node.children if c.type in ("type_identifier",
                                                            "scoped_type_identifier")), None)
        args = next((c for c in node.children if c.type == "type_arguments"), None)
        name = _text(base).split(".")[-1]
        if base is None or args is None or (name not in COLLECTIONS and name not in MAPS):
            raise Unstubbable(f"the generic type {' '.join(_text(node).split())[:60]}")
        parts = [describe(c, scope) for c in args.named_children if "comment" not in c.type]
        if len(parts) != (2 if name in MAPS else 1):
            raise Unstubbable(f"the type {' '.join(_text(node).split())[:60]}")
        for desc, _ in parts:
            if desc in SCALARS:
                raise Unstubbable(f"the type {' '.join(_text(node).split())[:60]}")
        return (f"{name}<{','.join(d for d, _ in parts)}>",
                f"java.util.{name}<{', '.join(t for _, t in parts)}>")
    raise Unstubbable(f"the type {' '.join(_text(node).split())[:60]}")


def _named(text: str, scope: _Scope) -> tuple[str, str]:
    parts = [p.strip() for p in text.split(".")]
    if not all(_NAME.fullmatch(p) for p in parts):
        raise Unstubbable(f"the type {text[:60]}")
    found = scope.find(parts[0])
    for p in parts[1:]:
        if not isinstance(found, JClass):
            found = None
            break
        found = next((c for c in found.inner if c.name == p), None)
    if isinstance(found, JClass):
        if found.error:
            raise Unstubbable(f"the exception class {found.dotted} as a value")
        return ("@" if found.constants is None else "%") + found.binary, found.dotted
    if isinstance(found, str):
        raise Unstubbable(found)
    name = parts[-1]
    prefix = ".".join(parts[:-1])
    if name in BOXES and prefix in ("", BOXES[name]):
        return name, f"{BOXES[name]}.{name}"
    if name in COLLECTIONS or name in MAPS:
        raise Unstubbable(f"the raw type {name}")
    raise Unstubbable(f"the type {text[:60]}")


def _params(node, scope: _Scope) -> tuple[tuple[tuple[str, str], ...], bool]:
    out, varargs = [], False
    for p in node.named_children if node is not None else ():
        if p.type == "formal_parameter":
            desc, text = describe(p.child_by_field_name("type"), scope)
            n = _dims(p.child_by_field_name("dimensions"))
            out.append((desc + "[]" * n, text + "[]" * n))
        elif p.type == "spread_parameter":
            t = next(c for c in p.named_children if c.type not in ("modifiers",
                                                                    "variable_declarator"))
            desc, text = describe(t, scope)
            out.append((desc + "[]", text + "[]"))
            varargs = True
        elif p.type not in ("line_comment", "block_comment"):
            raise Unstubbable(f"the parameter {' '.join(_text(p).split())[:60]}")
    return tuple(out), varargs


def _throws(node, scope: _Scope) -> tuple[str, ...]:
    out = []
    for child in node.children:
        if child.type != "throws":
            continue
        for t in child.named_children:
            text = "".join(_text(t).split())
            found = scope.find(text.split(".")[0])
            if isinstance(found, JClass) and found.error and "." not in text:
                out.append(found.dotted)
            elif _QUALIFIED.fullmatch(text) and not isinstance(found, (JClass, str)):
                out.append(text)
            else:
                raise Unstubbable(f"the thrown type {text[:60]}")
    return tuple(out)


def _class_shell(node, outer: JClass | None) -> JClass | str:
    """The class's name and kind, or why it cannot be stubbed."""
    name = _text(node.child_by_field_name("name"))
    where = f"{outer.dotted}.{name}" if outer else name
    binary, dotted = (f"{outer.binary}${name}", where) if outer else (name, name)
    if node.type == "enum_declaration":  # constants only: they cross by name
        body = node.child_by_field_name("body")
        names = tuple(_text(c.child_by_field_name("name")) for c in
                      (body.named_children if body is not None else ())
                      if c.type == "enum_constant")
        if all(_NAME.fullmatch(n) for n in names):
            return JClass(name, binary, dotted, outer is not None, constants=names)
    if node.type != "class_declaration":
        kind = node.type.replace("_declaration", "")
        return f"the {kind} {where} (only classes can be stubbed)"
    if node.child_by_field_name("type_parameters") is not None:
        return f"the generic class {where}"
    if outer is not None and "static" not in _modifiers(node):
        return f"the inner class {where} (only static nested classes can be stubbed)"
    return JClass(name, binary, dotted, outer is not None)


_TYPES = ("class_declaration", "interface_declaration", "enum_declaration",
          "record_declaration", "annotation_type_declaration")


def _shells(nodes, outer: JClass | None, skipped: list[str]
            ) -> tuple[dict[str, object], list[tuple[JClass, object, dict[str, object]]]]:
    """The type names declared among ``nodes`` (a JClass or why not), and each class with
    its node and the names declared in it, nested ones included (enclosing classes first)."""
    names: dict[str, object] = {}
    pairs = []
    for node in nodes:
        if node.type not in _TYPES:
            continue
        shell = _class_shell(node, outer)
        name = _text(node.child_by_field_name("name"))
        if not _NAME.fullmatch(name):
            continue
        names[name] = shell
        if isinstance(shell, JClass):
            body = node.child_by_field_name("body")
            inner, more = _shells(body.named_children if body else [], shell, skipped)
            shell.inner = [v for v in inner.values() if isinstance(v, JClass)]
            pairs.append((shell, node, inner))
            pairs.extend(more)
        else:
            skipped.append(shell)
    return names, pairs


def declarations(code: str) -> Declarations:
    """The solution's stubbable declarations (tree-sitter; identifiers and types only)."""
    tree = syntax.parse(code, "java")
    skipped: list[str] = []
    top, pairs = _shells(tree.root_node.named_children, None, skipped)
    scopes: dict[str, _Scope] = {}
    for c, _, inner in pairs:  # enclosing classes come before the classes they nest
        scopes[c.binary] = _Scope(inner, scopes.get(c.binary.rpartition("$")[0], _Scope(top)))
    for c, node, _ in pairs:
        sup = node.child_by_field_name("superclass")
        if sup is not None and sup.named_children:
            c.parent = "".join(_text(sup.named_children[0]).split())
    _mark_errors([c for c, _, _ in pairs], scopes)
    bad, parents = _resolve_parents([c for c, _, _ in pairs], scopes, skipped)
    for c, node, _ in pairs:
        if not c.error and c.binary not in bad:
            _members(c, node, scopes[c.binary], skipped)
    while any(b not in bad and p in bad for b, p in parents.items()):
        bad |= {b for b, p in parents.items() if p in bad}
    return Declarations(_prune([c for c in top.values() if isinstance(c, JClass)], bad),
                        skipped, set(top))


def _mark_errors(classes: list[JClass], scopes: dict[str, _Scope]) -> None:
    """Marks the exception classes: those extending a JDK throwable or one of them."""
    changed = True
    while changed:
        changed = False
        for c in classes:
            if c.parent is None or c.error:
                continue
            found = scopes[c.binary].parent.find(c.parent) if "." not in c.parent else None
            if isinstance(found, JClass) and found.error or \
                    found is None and _THROWABLE.fullmatch(c.parent):
                c.error = changed = True


def _resolve_parents(classes: list[JClass], scopes: dict[str, _Scope], skipped: list[str]
                     ) -> tuple[set[str], dict[str, str]]:
    """(classes that cannot be stubbed, binary name -> its solution superclass's); each
    superclass is rewritten as the dotted name the tests' program knows it by."""
    bad: set[str] = set()
    parents: dict[str, str] = {}
    for c in classes:
        if c.parent is None:
            continue
        found = scopes[c.binary].parent.find(c.parent)
        if isinstance(found, JClass):
            c.parent, parents[c.binary] = found.dotted, found.binary
        elif not c.error or not _QUALIFIED.fullmatch(c.parent):
            bad.add(c.binary)
            skipped.append(f"the class {c.dotted} (it extends {c.parent[:60]})")
    return bad, parents


def _prune(classes: list[JClass], bad: set[str]) -> list[JClass]:
    """The classes that can be stubbed (not in ``bad``, nor nested in one that is not)."""
    out = []
    for c in classes:
        if c.binary not in bad:
            c.inner = _prune(c.inner, bad)
            out.append(c)
    return out


def _members(c: JClass, node, scope: _Scope, skipped: list[str]) -> None:
    body = node.child_by_field_name("body")
    if c.constants is not None:  # an enum: its methods stay in the candidate's process
        methods = [m for d in (body.named_children if body is not None else ())
                   if d.type == "enum_body_declarations" for m in d.named_children
                   if m.type == "method_declaration" and "private" not in _modifiers(m)]
        if methods:
            skipped.append(f"the methods of the enum {c.dotted} (an enum crosses as its "
                           f"constants' names)")
        return
    for m in body.named_children if body is not None else ():
        mods = _modifiers(m)
        if m.type not in ("method_declaration", "constructor_declaration",
                          "field_declaration") or "private" in mods:
            if m.type == "constructor_declaration":
                c.has_constructor = True
            continue
        static = "static" in mods
        try:
            if m.type == "field_declaration":
                if not static:
                    continue
                desc, text = describe(m.child_by_field_name("type"), scope)
                for d in m.children_by_field_name("declarator"):
                    name = _text(d.child_by_field_name("name"))
                    n = _dims(d.child_by_field_name("dimensions"))
                    if _NAME.fullmatch(name):
                        c.members.append(Member(name, True, None,
                                                (desc + "[]" * n, text + "[]" * n)))
                continue
            name = _text(m.child_by_field_name("name"))
            if m.type == "constructor_declaration":
                c.has_constructor = True
                name = "<init>"
            elif not _NAME.fullmatch(name):
                continue
            if name in ("equals", "hashCode") and not static:
                continue  # identity in the tests: a lying equals earns nothing
            if m.child_by_field_name("type_parameters") is not None:
                raise Unstubbable("a generic method")
            params, varargs = _params(m.child_by_field_name("parameters"), scope)
            if name == "main" and static and params == (("String[]", "java.lang.String[]"),):
                continue
            ret = ("void", "void")
            if name != "<init>":
                ret = describe(m.child_by_field_name("type"), scope)
                n = _dims(m.child_by_field_name("dimensions"))
                ret = (ret[0] + "[]" * n, ret[1] + "[]" * n)
            c.members.append(Member(name, static, params, ret, _throws(m, scope), varargs))
        except Unstubbable as why:
            label = _text(m.child_by_field_name("name")) or "?"
            skipped.append(f"{c.dotted}.{label} ({why})")


# -- the stubs ---------------------------------------------------------------------------

def _java(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _member(c: JClass, m: Member, tag: str) -> list[str]:
    link = f"AdjaxLink_{tag}.call"
    if m.params is None:
        return [f"  static {m.ret[1]} {m.name} = ({m.ret[1]}) {link}({_java(c.binary)}, null, "
                f"{_java(m.name)}, null, {_java(m.ret[0])}, new Object[0]);"]
    args = []
    for i, (_, text) in enumerate(m.params):
        last = m.varargs and i == len(m.params) - 1
        args.append(f"{text[:-2] + '...' if last else text} a{i}")
    descs = ", ".join(_java(d) for d, _ in m.params)
    values = ", ".join(f"a{i}" for i in range(len(m.params)))
    throws = f" throws {', '.join(m.throws)}" if m.throws else ""
    self = "null" if m.static or m.name == "<init>" else "this"
    call = (f"{link}({_java(c.binary)}, {self}, {_java(m.name)}, "
            f"new String[] {{{descs}}}, {_java(m.ret[0])}, new Object[] {{{values}}})")
    if m.name == "<init>":
        return [f"  {c.name}({', '.join(args)}){throws} {{ this((AdjaxH_{tag}) {call}); }}"]
    head = f"  public {'static ' if m.static else ''}{m.ret[1]} {m.name}({', '.join(args)}){throws}"
    if m.ret[0] == "void":
        return [f"{head} {{ {call}; }}"]
    return [f"{head} {{ return ({m.ret[1]}) {call}; }}"]


def _stub(c: JClass, tag: str) -> list[str]:
    static = "static " if c.nested else ""
    if c.constants is not None:
        return [f"{static}enum {c.name} {{", f"  {', '.join(c.constants)};", "}"]
    if c.error:
        return [f"{static}class {c.name} extends {c.parent} {{",
                f"  {c.name}(String m) {{ super(m); }}",
                f"  {c.name}() {{ super(); }}"] + \
            [line for inner in c.inner for line in _stub(inner, tag)] + ["}"]
    extends = f" extends {c.parent}" if c.parent else f" implements AdjaxHandled_{tag}"
    lines = [f"{static}class {c.name}{extends} {{"]
    if c.parent:
        lines.append(f"  {c.name}(AdjaxH_{tag} h) {{ super(h); }}")
    else:
        lines += [f"  private int adjaxI_{tag};",
                  f"  public final int adjaxId_{tag}() {{ return adjaxI_{tag}; }}",
                  f"  {c.name}(AdjaxH_{tag} h) {{ adjaxI_{tag} = h.id; "
                  f"AdjaxLink_{tag}.bind(h, this); }}"]
    members = list(c.members)
    if not c.has_constructor:
        members.append(Member("<init>", False, (), ("void", "void")))
    for m in members:
        lines += _member(c, m, tag)
    for inner in c.inner:
        lines += ["  " + line for line in _stub(inner, tag)]
    return lines + ["}"]


def stubs(decls: Declarations, tag: str) -> str:
    """Java classes of the solution's names whose methods call through the relay."""
    return "\n".join(line for c in decls.classes for line in _stub(c, tag)) + "\n"
