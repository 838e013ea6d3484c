"""Whole programs judged with one compiler run per batch and one sandboxed process per
program.

A compiled program used to pay its own compiler start (javac and a JVM, ``go build``,
``tsc``) for a run of a fraction of a second. Here up to ``batch_size`` programs of one
compiled language are compiled together in one sandbox (no program's code runs there;
``compile_layouts`` keeps them apart), and each then runs alone in a sandbox that holds
only its own compiled files, as ``Sandbox.run`` would run it. A program that does not
compile fails alone with its own compiler messages; the others are compiled again without
it where the compiler may have stopped early (Java). Whatever the batch cannot pin on one
program (a compiler crash, a timeout, a memory or output limit, output that names no
program) sends the programs still undecided to a build of their own, so one compile bomb
costs its siblings time, never their verdicts. Interpreted languages run as before.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import time
from collections.abc import Callable, Sequence

from adjax_code.judge import compile_layouts, execution
from adjax_code.judge.compile_layouts import Layout

BATCH_SIZE = 16  # programs per compiler run: memory and the working directory's cap
MAX_ROUNDS = 3  # compiler runs per batch before the rest are built one by one
# A batch's build may take the one-program limits plus this much per program.
CPU_S_PER_PROGRAM, WALL_S_PER_PROGRAM = 1, 1.0
_OUTPUT_CHARS = 1 << 20  # a batch's compiler output kept for attribution

Program = tuple[str, str, str]  # (code, language, stdin)
_Task = Callable[[], list]  # -> [(index, RunResult | _Task)]


def run_many(sandbox: execution.Sandbox, programs: Sequence[Program], *,
             batch_size: int = BATCH_SIZE, progress=None) -> list[execution.RunResult]:
    """``Sandbox.run_many`` with compiled languages built in batches: results in input
    order, each one what running the program alone means."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    tasks: list[_Task] = []
    groups: dict[str, list[int]] = {}
    for i, (code, language, _) in enumerate(programs):
        layout = compile_layouts.LAYOUTS.get(language)
        if layout is not None and layout.accepts(code):
            groups.setdefault(language, []).append(i)
        else:
            tasks.append(_alone(sandbox, programs, i))
    for language, indices in groups.items():
        for lo in range(0, len(indices), batch_size):
            chunk = indices[lo:lo + batch_size]
            if len(chunk) == 1:
                tasks.insert(0, _alone(sandbox, programs, chunk[0]))
            else:
                tasks.insert(0, _batch(sandbox, compile_layouts.LAYOUTS[language], programs,
                                       chunk))
    return _drain(sandbox, programs, tasks, progress)


def _drain(sandbox, programs, tasks: list[_Task], progress) -> list[execution.RunResult]:
    """Runs tasks on ``sandbox.workers`` threads; a task yields results or further tasks."""
    results: list[execution.RunResult | None] = [None] * len(programs)
    with concurrent.futures.ThreadPoolExecutor(sandbox.workers) as pool:
        pending = {pool.submit(t) for t in tasks}
        while pending:
            done, pending = concurrent.futures.wait(
                pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in done:
                for i, out in fut.result():
                    if callable(out):
                        pending.add(pool.submit(out))
                        continue
                    results[i] = out
                    if progress is not None:
                        progress.update(1)
    return results  # type: ignore[return-value]


def _guarded(language: str, sandbox, indices: Sequence[int], work: _Task) -> _Task:
    def task() -> list:
        try:
            return work()
        except execution.SandboxUnavailable:
            raise
        except Exception as err:  # pragma: no cover - harness bug: still a result each
            return [(i, execution.RunResult(execution.ERROR, language, None, "", "", 0.0,
                                            sandbox.protections(), message=f"harness: {err!r}"))
                    for i in indices]
    return task


def _alone(sandbox, programs, i: int) -> _Task:
    code, language, stdin = programs[i]
    return _guarded(language, sandbox, [i],
                    lambda: [(i, sandbox.run(code, language, stdin=stdin))])


def _batch(sandbox, layout: Layout, programs, indices: Sequence[int]) -> _Task:
    return _guarded(layout.language, sandbox, indices,
                    lambda: _build_rounds(sandbox, layout, programs, indices))


def batch_limits(limits: execution.Limits, n: int) -> execution.Limits:
    """The limits of one build of ``n`` programs: more time, and the working directory's
    bytes and files of ``n`` builds (each program may still use what it would alone; one
    that takes more sends the batch to builds of their own)."""
    return dataclasses.replace(limits, cpu_seconds=limits.cpu_seconds + CPU_S_PER_PROGRAM * n,
                               wall_seconds=limits.wall_seconds + WALL_S_PER_PROGRAM * n,
                               output_chars=max(limits.output_chars, _OUTPUT_CHARS),
                               disk_bytes=limits.disk_bytes * n, disk_files=limits.disk_files * n)


def _build_rounds(sandbox, layout: Layout, programs, indices: Sequence[int]) -> list:
    """Builds the batch, again without the programs that failed while the compiler may
    have stopped early; -> (index, build failure or a task that runs the built program),
    and builds of their own for whatever stays undecided."""
    keys = {compile_layouts.new_key(): i for i in indices}
    out: list = []
    for _ in range(MAX_ROUNDS):
        if not keys:
            break
        decided = _one_round(sandbox, layout, programs, keys)
        if decided is None:
            break
        for key, outcome in decided.items():
            out.append((keys.pop(key), outcome))
    return out + [(i, _alone(sandbox, programs, i)) for i in keys.values()]


def _one_round(sandbox, layout: Layout, programs, keys: dict[str, int]) -> dict | None:
    """One compiler run over ``keys``' programs: key -> a build failure (RunResult) or a
    task that runs the built program, for the programs it decides; None when the run's
    outcome cannot be pinned on single programs."""
    files = {}
    for key, i in keys.items():
        files.update(layout.sources(key, programs[i][0]))
    start = time.monotonic()
    result, collected = sandbox.build(
        files, layout.language, layout.command(list(keys)), collect=layout.collect(list(keys)),
        limits=batch_limits(sandbox.limits, len(keys)))
    share = (time.monotonic() - start) / len(keys)
    if result.status == execution.MISSING:
        return {key: result for key in keys}
    clean = result.status == execution.PASS
    text = result.stdout if layout.messages_on == "stdout" else result.stderr
    failed_build = result.status == execution.ERROR and result.exit_code in (1, 2) and \
        not result.message.startswith("killed")
    if not (clean or failed_build) or collected is None or text.endswith("[output truncated]"):
        return None
    errors = compile_layouts.attribute(layout, text, keys)
    if errors is None or (clean and errors) or (failed_build and not errors):
        return None
    decided: dict = {}
    for key, lines in errors.items():
        decided[key] = _build_failure(sandbox, layout, key, lines, result, share)
    for key in keys:
        if key in decided or not (clean or layout.partial):
            continue
        built = layout.built(key, collected)
        if built is not None:
            decided[key] = _run_task(sandbox, layout, key, built, programs, keys[key], share)
    return decided


def _build_failure(sandbox, layout: Layout, key: str, lines: list[str],
                   batch: execution.RunResult, share: float) -> execution.RunResult:
    """The program's own build error, as its one-program build would report it."""
    text = layout.plain(key, "\n".join(layout.own_messages(lines)) + "\n")
    out, err = (text, "") if layout.messages_on == "stdout" else ("", text)
    return dataclasses.replace(
        batch, status=execution.ERROR, stdout=out, stderr=err, duration_s=share,
        stage="build", message=execution.first_error_line(err or out) or "build failed")


def _run_task(sandbox, layout: Layout, key: str, built: compile_layouts.Built,
              programs, i: int, share: float) -> _Task:
    """Runs program ``i``'s own compiled files alone. What it reports reads as it would
    from a build of its own: the key leaves its output (a Java class's name, an
    exception's text and a stack trace carry the package; only the key, which holds no
    ``ADJAX-`` record prefix, is removed)."""
    language, stdin = programs[i][1], programs[i][2]

    def run() -> list:
        r = sandbox.run_built(built.files, language, built.command, stdin=stdin,
                              executables=built.executables)
        return [(i, dataclasses.replace(
            r, stdout=layout.plain(key, r.stdout), stderr=layout.plain(key, r.stderr),
            message=layout.plain(key, r.message), duration_s=r.duration_s + share))]
    return _guarded(language, sandbox, [i], run)
