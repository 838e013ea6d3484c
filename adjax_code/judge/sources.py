"""One program from a solution and its tests: Go's package clause and imports, Java's public
classes; below the verdicts and the rewards, which both assemble programs."""

from __future__ import annotations

import re

from adjax_code.lang import languages

_GO_IMPORT = re.compile(r"^import\s*(\([^)]*\)|\"[^\"]+\")\s*$", re.M)
_GO_PACKAGE = re.compile(r"^package\s+\w+\s*$", re.M)


def split_go(code: str) -> tuple[list[str], str]:
    """A Go file's import paths (quoted) and the rest, without package clause or imports."""
    paths = [p for block in _GO_IMPORT.findall(code) for p in re.findall(r"\"[^\"]+\"", block)]
    return paths, _GO_IMPORT.sub("", _GO_PACKAGE.sub("", code))


def join_go(paths: list[str], body: str) -> str:
    """``package main``, the distinct import paths, then the body."""
    unique = list(dict.fromkeys(paths))
    return "package main\n\n" + (f"import ({'; '.join(unique)})\n" if unique else "") + body


def combine(code: str, tests: str, language: str) -> str:
    """One program from a solution and its test code.

    Go: the tests' package clause is dropped and their imports are hoisted next to the
    solution's. Java: the solution's classes lose ``public`` so that the tests' ``Main`` can
    be the public class. Other languages: the tests follow the solution.
    """
    lang = languages.get(language)
    if lang.name == "go":
        code_paths, code_body = split_go(code)
        test_paths, test_body = split_go(tests)
        return join_go(code_paths + test_paths, code_body + "\n" + test_body)
    if lang.name == "java" and re.search(r"\bclass\s+Main\b", tests):
        code = re.sub(r"\bpublic\s+(final\s+)?class\b", r"\1class", code)
    return code + "\n\n" + tests + "\n"
