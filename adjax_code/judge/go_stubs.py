"""Stubs of a Go solution's declarations, for tests that run where the candidate never ran.

``declarations`` reads the solution with tree-sitter and keeps identifiers and types only:
its type declarations (structs with every field, named slices, maps and basic types),
functions, methods, and package-level variables and constants whose type is declared or
follows from a literal. ``stubs`` writes, for the tests' program, the same types (field
tags dropped), functions of the same signatures whose bodies call through the relay
(``go_link.go``, ``adjaxCall``) and variables read from the solution when the tests start;
parameters and results are renamed, so no byte of the candidate's text enters it. ``table``
is the candidate's side: each function, method expression and value by name, for the
server.

What cannot be stubbed (a generic type or function, an interface, a function or channel
type, a type from another package, an array whose length is not a literal) is left out
with the reason, and so is everything that uses it.
"""

from __future__ import annotations

import dataclasses
import re

from adjax_code.lang import syntax

BASIC = {"bool", "string", "int", "int8", "int16", "int32", "int64", "uint", "uint8",
         "uint16", "uint32", "uint64", "float32", "float64", "byte", "rune", "error"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")


class Unstubbable(ValueError):
    """A declaration whose types cannot cross the relay."""


@dataclasses.dataclass(frozen=True)
class Func:
    """A function, or a method (``receiver``: the receiver's type, ``T`` or ``*T``)."""

    name: str
    params: tuple[str, ...]  # rendered types; the last is ``...T`` when variadic
    results: tuple[str, ...]
    receiver: str = ""

    @property
    def key(self) -> str:
        return f"{self.receiver.lstrip('*')}.{self.name}" if self.receiver else self.name


@dataclasses.dataclass
class Declarations:
    """The stubbable types (name -> rendered declaration), functions, package-level
    variables and constants (name, type: read once when the tests start), and what was left
    out and why."""

    types: dict[str, str]
    funcs: list[Func]
    skipped: list[str]
    values: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def _text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def render(node, known: set[str]) -> str:
    """A type node as Go text built from its names, or ``Unstubbable``."""
    kind = node.type
    if kind == "type_identifier":
        name = _text(node)
        if name in BASIC or name in known:
            return name
        raise Unstubbable(f"the type {name[:60]}")
    if kind == "slice_type":
        return "[]" + render(node.child_by_field_name("element"), known)
    if kind == "array_type":
        length = node.child_by_field_name("length")
        if length is None or length.type != "int_literal" or \
                not re.fullmatch(r"[0-9]{1,6}", _text(length)):
            raise Unstubbable(f"the array type {' '.join(_text(node).split())[:60]}")
        return f"[{int(_text(length))}]" + render(node.child_by_field_name("element"), known)
    if kind == "map_type":
        return (f"map[{render(node.child_by_field_name('key'), known)}]"
                f"{render(node.child_by_field_name('value'), known)}")
    if kind == "pointer_type":
        return "*" + render(node.named_children[0], known)
    if kind == "parenthesized_type":
        return render(node.named_children[0], known)
    if kind == "struct_type":
        return "struct {" + "; ".join(_fields(node, known)) + "}"
    raise Unstubbable(f"the type {' '.join(_text(node).split())[:60]}")


def _fields(node, known: set[str]) -> list[str]:
    out = []
    body = next((c for c in node.named_children if c.type == "field_declaration_list"), None)
    for f in body.named_children if body is not None else ():
        if f.type != "field_declaration":
            continue
        t = render(f.child_by_field_name("type"), known)
        names = [_text(n) for n in f.children_by_field_name("name")
                 if n.type == "field_identifier"]
        if not names:  # embedded
            out.append(t)
        for n in names:
            if not _NAME.fullmatch(n):
                raise Unstubbable("a field name")
            out.append(f"{n} {t}")
    return out


def _type_specs(root) -> dict[str, object]:
    specs = {}
    for node in root.named_children:
        if node.type != "type_declaration":
            continue
        for spec in node.named_children:
            name = _text(spec.child_by_field_name("name"))
            if spec.type in ("type_spec", "type_alias") and _NAME.fullmatch(name):
                specs[name] = spec
    return specs


def _declare(spec, known: set[str]) -> str:
    name = _text(spec.child_by_field_name("name"))
    if spec.child_by_field_name("type_parameters") is not None:
        raise Unstubbable(f"the generic type {name}")
    eq = " = " if spec.type == "type_alias" else " "
    return f"type {name}{eq}{render(spec.child_by_field_name('type'), known)}"


def _params(node, known: set[str]) -> tuple[str, ...]:
    out = []
    for p in node.named_children if node is not None else ():
        if p.type == "parameter_declaration":
            t = render(p.child_by_field_name("type"), known)
            out += [t] * max(1, len(p.children_by_field_name("name")))
        elif p.type == "variadic_parameter_declaration":
            out.append("..." + render(p.child_by_field_name("type"), known))
        elif p.type != "comment":
            raise Unstubbable(f"the parameter {' '.join(_text(p).split())[:60]}")
    return tuple(out)


def _func(node, known: set[str]) -> Func:
    name = _text(node.child_by_field_name("name"))
    if node.child_by_field_name("type_parameters") is not None:
        raise Unstubbable("a generic function")
    params = _params(node.child_by_field_name("parameters"), known)
    result = node.child_by_field_name("result")
    results: tuple[str, ...] = ()
    if result is not None:
        results = _params(result, known) if result.type == "parameter_list" else \
            (render(result, known),)
    receiver = ""
    if node.type == "method_declaration":
        (receiver,) = _params(node.child_by_field_name("receiver"), known) or ("",)
        if receiver.lstrip("*") not in known:
            raise Unstubbable(f"a method of {receiver[:60]}")
    return Func(name, params, results, receiver)


def declarations(code: str) -> Declarations:
    """The solution's stubbable declarations (tree-sitter; identifiers and types only)."""
    root = syntax.parse(code, "go").root_node
    specs = _type_specs(root)
    known = set(specs)
    why: dict[str, str] = {}
    changed = True
    while changed:  # a type is stubbable when everything it names is
        changed = False
        for name in sorted(known):
            try:
                _declare(specs[name], known)
            except Unstubbable as err:
                known.discard(name)
                why[name] = str(err)
                changed = True
    skipped = [f"type {n} ({w})" for n, w in why.items()]
    funcs = []
    for node in root.named_children:
        if node.type not in ("function_declaration", "method_declaration"):
            continue
        name = _text(node.child_by_field_name("name"))
        if not _NAME.fullmatch(name) or node.type == "function_declaration" and \
                name in ("main", "init", "_"):
            continue
        try:
            funcs.append(_func(node, known))
        except (Unstubbable, ValueError) as err:
            skipped.append(f"func {name} ({err})")
    return Declarations({n: _declare(specs[n], known) for n in sorted(known)}, funcs, skipped,
                        _values(root, known, skipped))


_LITERALS = {"int_literal": "int", "float_literal": "float64", "rune_literal": "rune",
             "interpreted_string_literal": "string", "raw_string_literal": "string",
             "true": "bool", "false": "bool"}


def _values(root, known: set[str], skipped: list[str]) -> list[tuple[str, str]]:
    """(name, type) of each package-level variable and constant whose type is declared, or
    follows from a literal or a composite literal's type; a constant without either takes
    the previous one's type in its group (``Green`` after ``Red Color = iota``)."""
    out = []
    for node in root.named_children:
        if node.type not in ("var_declaration", "const_declaration"):
            continue
        previous = None
        for spec in node.named_children:
            if spec.type not in ("var_spec", "const_spec"):
                continue
            names = [_text(n) for n in spec.children_by_field_name("name")
                     if n.type == "identifier" and _NAME.fullmatch(_text(n)) and _text(n) != "_"]
            value = spec.child_by_field_name("value")
            items = value.named_children if value is not None else []
            try:
                t = spec.child_by_field_name("type")
                if t is not None:
                    types = [render(t, known)] * len(names)
                elif value is None and spec.type == "const_spec" and previous:
                    types = [previous] * len(names)
                elif len(items) == len(names):
                    types = [_value_type(v, known) for v in items]
                else:
                    raise Unstubbable("a value of no declared type")
            except Unstubbable as err:
                skipped += [f"{spec.type[:-5]} {n} ({err})" for n in names]
                previous = None
                continue
            if t is not None or value is not None:  # a spec without either repeats it
                previous = types[0] if t is not None and types else None
            out += list(zip(names, types, strict=True))
    return out


def _value_type(node, known: set[str]) -> str:
    """The type of a literal, of a composite literal (``map[string]int{}``), or ``error``
    for ``errors.New(...)`` and ``fmt.Errorf(...)``."""
    if node.type in _LITERALS:
        return _LITERALS[node.type]
    if node.type == "call_expression" and \
            _text(node.child_by_field_name("function")) in ("errors.New", "fmt.Errorf"):
        return "error"
    if node.type == "composite_literal":
        return render(node.child_by_field_name("type"), known)
    raise Unstubbable(f"the untyped value {' '.join(_text(node).split())[:40]}")


def _stub(f: Func, tag: str) -> str:
    params = ", ".join(f"a{i} {t}" for i, t in enumerate(f.params))
    args = ", ".join((["r"] if f.receiver else []) + [f"a{i}" for i in range(len(f.params))])
    head = f"func (r {f.receiver}) " if f.receiver else "func "
    results = f.results[0] if len(f.results) == 1 else \
        f"({', '.join(f.results)})" if f.results else ""
    lines = [f"{head}{f.name}({params}) {results + ' ' if results else ''}{{"]
    lines += [f"\tvar r{i} {t}" for i, t in enumerate(f.results)]
    outs = "".join(f", &r{i}" for i in range(len(f.results)))
    lines.append(f'\tadjaxCall_{tag}("{f.key}", []interface{{}}{{{args}}}{outs})')
    if f.results:
        lines.append("\treturn " + ", ".join(f"r{i}" for i in range(len(f.results))))
    return "\n".join(lines) + "\n}\n"


def stubs(decls: Declarations, tag: str) -> str:
    """The solution's types, its functions and methods as calls through the relay, its
    variables and constants as variables, and ``adjaxValues_<tag>()``, which reads them."""
    values = [f"var {n} {t}" for n, t in decls.values]
    reads = [f'\tadjaxCall_{tag}("={n}", nil, &{n})' for n, _ in decls.values]
    return "\n".join(list(decls.types.values()) + values + [""]
                     + [_stub(f, tag) for f in decls.funcs]
                     + [f"func adjaxValues_{tag}() {{", *reads,
                        f"\tadjaxSentinels_{tag} = {sentinels(decls)}", "}", ""])


def sentinels(decls: Declarations) -> str:
    """A Go map literal from the name of each package-level error variable to its address
    (``go_wire.go``: errors that are or wrap one cross by name)."""
    rows = "".join(f'"{n}": &{n}, ' for n, t in decls.values if t == "error")
    return "map[string]*error{" + rows + "}"


def table(decls: Declarations) -> str:
    """The candidate's side: a Go map literal from each name to its function or method
    expression."""
    rows = []
    for f in decls.funcs:
        target = f.name
        if f.receiver:
            target = f"({f.receiver}).{f.name}" if f.receiver.startswith("*") else \
                f"{f.receiver}.{f.name}"
        rows.append(f'\t"{f.key}": {target},')
    rows += [f'\t"={n}": func() {t} {{ return {n} }},' for n, t in decls.values]
    return "map[string]interface{}{\n" + "\n".join(rows) + "\n}"
