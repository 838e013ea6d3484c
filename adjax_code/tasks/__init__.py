"""The built-in multi-language task suite.

Each task is one function with a typed signature, several paraphrased specifications, a
reference solution in every language, and test cases given as data (arguments and expected
result). Test programs are rendered from the data for each language, so every language is
checked against the same cases. The first ``N_EXAMPLES`` cases of a task are its example
tests (usable as a reward); the rest are hidden tests (for measuring, never for reward).

Split (fixed): tasks in definition order, every fourth task (index 3, 7, 11, ...) is
held out; the rest are train. The split is by task, never by paraphrase.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

N_EXAMPLES = 3
TYPES = ("int", "bool", "str", "list[int]", "list[str]")
LANGS = ("python", "javascript", "typescript", "java", "go")


@dataclasses.dataclass(frozen=True)
class Task:
    id: str
    category: str
    name: str  # snake_case; camelCase in languages that use it
    params: tuple[tuple[str, str], ...]  # (name, type)
    returns: str
    specs: tuple[str, ...]
    tests: tuple[tuple[tuple[Any, ...], Any], ...]  # (args, expected)
    solutions: dict[str, str]
    split: str = "train"

    def fn_name(self, language: str) -> str:
        return self.name if language == "python" else camel(self.name)

    @property
    def examples(self):
        return self.tests[:N_EXAMPLES]

    @property
    def hidden(self):
        return self.tests[N_EXAMPLES:]


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def task(id: str, category: str, sig: str, specs: list[str], tests: list, **solutions: str):
    """Declares a task: ``sig`` is ``"name(a: int, xs: list[int]) -> bool"``."""
    name, rest = sig.split("(", 1)
    params_text, returns = rest.rsplit(")", 1)
    params = []
    for part in filter(None, (p.strip() for p in params_text.split(","))):
        pname, ptype = (s.strip() for s in part.split(":"))
        params.append((pname, ptype))
    returns = returns.replace("->", "").strip()
    for t in [ptype for _, ptype in params] + [returns]:
        if t not in TYPES:
            raise ValueError(f"task {id}: unsupported type {t!r}")
    if "typescript" not in solutions and "javascript" in solutions:
        solutions["typescript"] = typed_from_javascript(solutions["javascript"], sig)
    if set(solutions) != {"python", "javascript", "typescript", "java", "go"}:
        raise ValueError(f"task {id}: needs a solution in every language, has {sorted(solutions)}")
    if len(specs) < 2 or len(tests) < N_EXAMPLES + 2:
        raise ValueError(f"task {id}: needs 2+ specs and {N_EXAMPLES + 2}+ tests")
    tests = tuple((tuple(args), expected) for args, expected in tests)
    for args, _ in tests:
        if len(args) != len(params):
            raise ValueError(f"task {id}: a test has {len(args)} args for {len(params)} params")
    return Task(id=id, category=category, name=name.strip(), params=tuple(params),
                returns=returns, specs=tuple(specs), tests=tests,
                solutions={k: v.strip("\n") + "\n" for k, v in solutions.items()})


TS_TYPES = {"int": "number", "bool": "boolean", "str": "string", "list[int]": "number[]",
             "list[str]": "string[]"}


def typed_from_javascript(js: str, sig: str) -> str:
    """The TypeScript solution: the JavaScript one with its first line annotated."""
    _, rest = sig.split("(", 1)
    params_text, returns = rest.rsplit(")", 1)
    params = [p.split(":") for p in params_text.split(",") if p.strip()]
    typed = ", ".join(f"{n.strip()}: {TS_TYPES[t.strip()]}" for n, t in params)
    ret = TS_TYPES[returns.replace("->", "").strip()]
    head, body = js.split("\n", 1)
    fn = head[len("function "):head.index("(")]
    return f"function {fn}({typed}): {ret} {{\n{body}"


def entry(id: str, category: str, sig: str, specs: list[str], tests: list, py: str, js: str,
          java: str, go: str, ts: str | None = None) -> Task:
    """``task`` with the solutions given positionally (Python, JavaScript, Java, Go) and
    TypeScript optional (derived from the JavaScript one when omitted)."""
    extra = {"typescript": ts} if ts is not None else {}
    return task(id, category, sig, specs, tests, python=py, javascript=js, java=java, go=go,
                **extra)


@functools.cache
def all_tasks() -> tuple[Task, ...]:
    from adjax_code.tasks import data_algorithms, data_basics, data_lists, data_strings

    tasks = []
    for module in (data_basics, data_strings, data_lists, data_algorithms):
        tasks.extend(module.TASKS)
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate task ids")
    return tuple(dataclasses.replace(t, split="heldout" if i % 4 == 3 else "train")
                 for i, t in enumerate(tasks))


def load(split: str = "all") -> list[Task]:
    if split not in ("all", "train", "heldout"):
        raise ValueError(f"unknown split {split!r}; valid: all, train, heldout")
    return [t for t in all_tasks() if split == "all" or t.split == split]


def get(task_id: str) -> Task:
    for t in all_tasks():
        if t.id == task_id:
            return t
    raise KeyError(f"unknown task {task_id!r}")
