"""The language registry: grammar, file layout, comments, and how to build and run a program.

Each entry says how to turn a source file into a running program inside a sandbox working
directory. A new language is one ``register(Language(...))`` call.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
from collections.abc import Callable

import tree_sitter


@dataclasses.dataclass(frozen=True, kw_only=True)
class Language:
    """One programming language.

    Attributes:
      name: registry key, lower case.
      extension: source file extension, with the dot.
      main_file: the file name a whole program is written to (Java needs ``Main.java``).
      grammar: ``module:function`` of the tree-sitter grammar wheel's language pointer.
      line_comment: the line-comment prefix.
      block_comment: (open, close) of block comments, or None.
      build: commands run before the program (compilers); ``{file}`` is the main file.
      run: the command that runs the program.
      toolchain: executables that must be on PATH.
      function_types: tree-sitter node types of function-like definitions.
      naming: the function-naming convention (``snake`` or ``camel``).
      tidy: a text fix applied to generated code before it is scored (Go and Java: add the
        standard-library imports the code uses and lacks, as goimports would), or None.
      opening: how a function definition starts; generation without a prefix starts here
        (an all-[MASK] start lets a small model end the program at once).
      model_tag: the language whose tag the model's condition uses (None: this language's
        own); a registered language the model was not trained on borrows a close one.
    """

    name: str
    extension: str
    main_file: str
    grammar: str
    line_comment: str
    block_comment: tuple[str, str] | None
    build: tuple[tuple[str, ...], ...]
    run: tuple[str, ...]
    toolchain: tuple[str, ...]
    function_types: tuple[str, ...]
    naming: str
    tidy: Callable[[str], str] | None = None
    opening: str = ""
    model_tag: str | None = None

    @functools.cached_property
    def ts_language(self) -> tree_sitter.Language:
        module, func = self.grammar.split(":")
        return tree_sitter.Language(getattr(importlib.import_module(module), func)())

    def parser(self) -> tree_sitter.Parser:
        return tree_sitter.Parser(self.ts_language)

    def commands(self) -> list[list[str]]:
        """Build commands then the run command, with ``{file}`` filled in."""
        fill: Callable[[tuple[str, ...]], list[str]] = lambda cmd: [  # noqa: E731
            part.replace("{file}", self.main_file) for part in cmd]
        return [fill(c) for c in self.build] + [fill(self.run)]


_GO_PACKAGES = ("fmt", "sort", "strings", "strconv", "unicode", "math", "bytes", "slices")
_GO_IMPORTS = re.compile(r'^[ \t]*import[ \t]*(\([^)]*\)|"[^"]+")', re.M)


def tidy_go(code: str) -> str:
    """Adds ``import "pkg"`` lines for standard packages used as ``pkg.Name`` and missing."""
    imported = set(re.findall(r'"([\w/]+)"', " ".join(_GO_IMPORTS.findall(code))))
    body = _GO_IMPORTS.sub("", code)
    used = [p for p in _GO_PACKAGES
            if p not in imported and re.search(rf"(?<![\w.]){p}\.[A-Z]", body)]
    return "".join(f'import "{p}"\n' for p in used) + ("\n" if used else "") + code


_JAVA_UTIL = re.compile(r"(?<![\w.])(Arrays|List|ArrayList|Map|HashMap|Set|HashSet|Collections|"
                        r"Deque|ArrayDeque|LinkedList|TreeMap|TreeSet)\b")


def tidy_java(code: str) -> str:
    """Adds ``import java.util.*;`` when java.util types are used and not imported."""
    if _JAVA_UTIL.search(code) and not re.search(r"^[ \t]*import[ \t]+java\.util\.", code, re.M):
        return "import java.util.*;\n\n" + code
    return code


_REGISTRY: dict[str, Language] = {}


def register(lang: Language) -> Language:
    if lang.name in _REGISTRY:
        raise ValueError(f"language {lang.name!r} is already registered")
    _REGISTRY[lang.name] = lang
    return lang


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str) -> Language:
    key = name.lower().strip()
    key = {"py": "python", "js": "javascript", "ts": "typescript", "golang": "go"}.get(key, key)
    if key not in _REGISTRY:
        raise ValueError(f"unknown language {name!r}; valid: {', '.join(names())}")
    return _REGISTRY[key]


register(Language(
    name="python", extension=".py", main_file="main.py", grammar="tree_sitter_python:language",
    line_comment="#", block_comment=None, build=(), run=("python3", "-I", "-B", "{file}"),
    toolchain=("python3",), function_types=("function_definition",), naming="snake",
    opening="def",
))
register(Language(
    name="javascript", extension=".js", main_file="main.js",
    grammar="tree_sitter_javascript:language", line_comment="//", block_comment=("/*", "*/"),
    build=(), run=("node", "{file}"), toolchain=("node",),
    function_types=("function_declaration", "method_definition", "arrow_function",
                    "function_expression"),
    naming="camel", opening="function",
))
register(Language(
    name="typescript", extension=".ts", main_file="main.ts",
    grammar="tree_sitter_typescript:language_typescript", line_comment="//",
    block_comment=("/*", "*/"),
    build=(("tsc", "--strict", "--target", "es2020", "--module", "commonjs",
            "--skipLibCheck", "--outDir", "out", "{file}"),),
    run=("node", "out/main.js"), toolchain=("tsc", "node"),
    function_types=("function_declaration", "method_definition", "arrow_function",
                    "function_expression"),
    naming="camel", opening="function",
))
register(Language(
    name="java", extension=".java", main_file="Main.java", grammar="tree_sitter_java:language",
    line_comment="//", block_comment=("/*", "*/"), build=(("javac", "-nowarn", "{file}"),),
    run=("java", "-Xshare:auto", "-XX:+UseSerialGC", "-Xss8m", "-cp", ".", "Main"),
    toolchain=("javac", "java"), function_types=("method_declaration",), naming="camel",
    tidy=tidy_java, opening="class Solution {",
))
register(Language(
    name="go", extension=".go", main_file="main.go", grammar="tree_sitter_go:language",
    line_comment="//", block_comment=("/*", "*/"), build=(("go", "build", "-o", "prog", "{file}"),),
    run=("./prog",), toolchain=("go",),
    function_types=("function_declaration", "method_declaration"), naming="camel",
    tidy=tidy_go, opening="func",
))
