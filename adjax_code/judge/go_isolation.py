"""Free-form Go tests run where the candidate never ran.

The same design as the other languages' (``isolation``), two programs relayed by the
harness:

- the candidate's program is the solution's package (its own ``main``, if any, renamed and
  never called; its ``init`` runs, and finds nothing there that the verdict depends on)
  with a server ``main`` (``go_server.go``, with ``go_wire.go``) that answers calls of its
  functions and methods through a table of them (``go_stubs.table``);
- the tests' program is the tests (their ``main`` renamed), the solution's types and stubs
  of its functions and methods (``go_stubs``: identifiers and types only) and the link
  (``go_link.go``). Values cross as data decoded into the declared types: the tests'
  ``reflect.DeepEqual``, ``math`` and ``fmt`` are the standard library's own, and a
  receiver or an argument the solution changed (a slice sorted in place, a struct behind a
  pointer) is written back.

The tests pass all or nothing: on the ``END`` record the tests' program writes after their
``main`` returns. The candidate's output and exit status count for nothing.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from adjax_code.judge import execution, go_stubs, isolation, sources

_MAIN = re.compile(r"^func\s+main\s*\(\s*\)", re.M)


@functools.cache
def _source(name: str) -> str:
    return Path(__file__).with_name(name).read_text(encoding="utf-8")


def harness(name: str, tag: str) -> str:
    """One of the harness's files (``go_wire.go``, ``go_server.go``, ``go_link.go``) with
    this run's suffix."""
    return _source(name).replace("TAG", tag)


def _imports() -> list[str]:
    """The harness's imports (``go_wire.go`` names them and uses each)."""
    line = re.search(r"^// IMPORTS (.*)$", _source("go_wire.go"), re.M)
    return [f'"{p}"' for p in line.group(1).split()]


def server_program(code: str, decls: go_stubs.Declarations, tag: str) -> str:
    """The solution's package, then its server as ``main``."""
    paths, body = sources.split_go(code)
    body = _MAIN.sub(f"func adjaxSolutionMain_{tag}()", body)
    main = (f"\nfunc main() {{\n\tadjaxSentinels_{tag} = {go_stubs.sentinels(decls)}\n"
            f"\tadjaxServe_{tag}({go_stubs.table(decls)})\n}}\n")
    return sources.join_go(paths + _imports(), body + "\n" + harness("go_wire.go", tag)
                           + harness("go_server.go", tag) + main)


def tests_program(tests: str, decls: go_stubs.Declarations, tag: str) -> str:
    """The tests, the solution's types and stubs, the link, and a ``main`` that runs the
    tests' ``main`` and writes ``END`` after it returns."""
    paths, body = sources.split_go(tests)
    body = _MAIN.sub(f"func adjaxTests_{tag}()", body)
    return sources.join_go(paths + _imports(), body + "\n" + go_stubs.stubs(decls, tag)
                           + harness("go_wire.go", tag) + harness("go_link.go", tag)
                           + f"\nfunc main() {{\n\tadjaxStart_{tag}()\n\tadjaxValues_{tag}()\n"
                           + f"\tadjaxTests_{tag}()\n"
                           + f'\tadjaxReport_{tag}("END")\n}}\n')


def run(codes: Sequence[str], tests: str, sandbox: execution.Sandbox, progress=None
        ) -> list[execution.RunResult]:
    """Each solution judged against ``tests`` as a pair of sandboxed processes."""
    if not _MAIN.search(sources.split_go(tests)[1]):
        why = "the Go tests declare no func main(): they run as the program's main"
        return [isolation.refused(why, "go", sandbox.protections()) for _ in codes]
    pairs = []
    for code in codes:
        decls = go_stubs.declarations(code)
        tag = secrets.token_hex(8)
        pairs.append(isolation.Pair(server_program(code, decls, tag),
                                    tests_program(tests, decls, tag), "go",
                                    functools.partial(isolation.judge_end,
                                                      skipped=tuple(decls.skipped))))
    return isolation.run_pairs(pairs, sandbox, progress)
