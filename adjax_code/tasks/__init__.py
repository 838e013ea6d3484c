"""The built-in multi-language task suite.

Each task is one function with a typed signature, several paraphrased specifications, a
reference solution in every language, and test cases given as data (arguments and expected
result). Test programs are rendered from the data for each language, so every language is
checked against the same cases. The first ``N_EXAMPLES`` cases of a task are its example
tests (usable as a reward); the rest are hidden tests (for measuring, never for reward).

The tasks are data: ``suite/*.json`` beside this module, one object per task with the
fields of ``Task`` except ``split`` (``"tests"`` as ``[args, expected]`` pairs, the
solutions keyed by language). The files are read in ``SUITE_FILES`` order and checked as
they load; a malformed file fails with a ``ValueError`` naming it.

Split (fixed): tasks in definition order, every fourth task (index 3, 7, 11, ...) is
held out; the rest are train. The split is by task, never by paraphrase.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
from typing import Any

N_EXAMPLES = 3
TYPES = ("int", "bool", "str", "list[int]", "list[str]")
LANGS = ("python", "javascript", "typescript", "java", "go")
TS_TYPES = {"int": "number", "bool": "boolean", "str": "string", "list[int]": "number[]",
            "list[str]": "string[]"}
# The data files under suite/, in definition order (the split follows it).
SUITE_FILES = ("basics.json", "strings.json", "lists.json", "algorithms.json")
FIELDS = ("id", "category", "name", "params", "returns", "specs", "tests", "solutions")


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


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def from_record(record: Any) -> Task:
    """A ``Task`` from one task object of a suite file, checked: every field present and of
    its type, only supported types, a solution in every language, 2+ specs, enough tests,
    each with one argument per parameter."""
    if not isinstance(record, dict):
        raise ValueError(f"a task must be an object, got {type(record).__name__}")
    id = record.get("id", "?")
    missing = [f for f in FIELDS if f not in record]
    unknown = sorted(set(record) - set(FIELDS))
    if missing or unknown:
        raise ValueError(f"task {id}: missing fields {missing}, unknown fields {unknown}")
    for f in ("id", "category", "name", "returns"):
        if not isinstance(record[f], str) or not record[f]:
            raise ValueError(f"task {id}: {f!r} must be a non-empty string")
    params = record["params"]
    if not isinstance(params, list) or not all(_is_str_list(p) and len(p) == 2 for p in params):
        raise ValueError(f"task {id}: 'params' must be a list of [name, type] pairs")
    for t in [ptype for _, ptype in params] + [record["returns"]]:
        if t not in TYPES:
            raise ValueError(f"task {id}: unsupported type {t!r}")
    solutions = record["solutions"]
    if not isinstance(solutions, dict) or set(solutions) != set(LANGS):
        have = sorted(solutions) if isinstance(solutions, dict) else solutions
        raise ValueError(f"task {id}: needs a solution in every language, has {have}")
    if not all(isinstance(v, str) for v in solutions.values()):
        raise ValueError(f"task {id}: every solution must be a string")
    specs, tests = record["specs"], record["tests"]
    if not _is_str_list(specs) or not isinstance(tests, list):
        raise ValueError(f"task {id}: 'specs' must be a list of strings, 'tests' a list")
    if len(specs) < 2 or len(tests) < N_EXAMPLES + 2:
        raise ValueError(f"task {id}: needs 2+ specs and {N_EXAMPLES + 2}+ tests")
    for case in tests:
        if not (isinstance(case, list) and len(case) == 2 and isinstance(case[0], list)):
            raise ValueError(f"task {id}: a test must be [args, expected], got {case!r}")
        if len(case[0]) != len(params):
            raise ValueError(f"task {id}: a test has {len(case[0])} args for {len(params)} params")
    return Task(id=id, category=record["category"], name=record["name"],
                params=tuple((p, t) for p, t in params), returns=record["returns"],
                specs=tuple(specs), tests=tuple((tuple(args), want) for args, want in tests),
                solutions={lang: solutions[lang].strip("\n") + "\n" for lang in LANGS})


def read_suite_file(path) -> list[Task]:
    """The tasks of one suite file (a path or an ``importlib.resources`` traversable);
    any problem with it is a ``ValueError`` that names the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
            raise ValueError('the file must be an object with a "tasks" list')
        return [from_record(record) for record in data["tasks"]]
    except (OSError, ValueError) as e:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"task suite file {path}: {e}") from e


@functools.cache
def all_tasks() -> tuple[Task, ...]:
    suite = importlib.resources.files(__name__) / "suite"
    tasks = [t for name in SUITE_FILES for t in read_suite_file(suite / name)]
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate task ids in the task suite: {dup}")
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
