"""Sandboxed execution of untrusted programs.

Every run gets its own temporary working directory and process group, resource limits
(CPU seconds, data memory, address space where the runtime allows, processes, file size,
open files), a scrubbed environment and a wall-clock timeout that kills the whole group.
When the harness runs as root, the program runs as an unprivileged uid of its own (one no
account has and no process uses, held under a lock file in a private directory for the
length of the run), so process limits bite and its stray processes can be found and killed.

Two modes (``mode()``; threat model in docs/security.md):

- ``bwrap`` (bubblewrap works): the program sees only /usr, /etc, /opt and its toolchains
  read-only, its own directory, and a private /tmp and /dev/shm, each size-capped;
  new user, PID, network, IPC and UTS namespaces; ``--die-with-parent``. No host socket,
  network or shared temporary directory is reachable.
- ``rlimits``: limits only; the program could reach the network and the host's files. Used
  only when the caller asks for it (``use_bwrap=False``) or the user sets
  ``ADJAX_SANDBOX=rlimits``; otherwise running a program raises ``SandboxUnavailable``. Its
  temporary directory is inside its working directory, and, as root, whatever its uid left
  in /tmp, /var/tmp and /dev/shm is removed after the run.

Standard output and standard error are the write ends of socket pairs whose other ends only
the harness holds: a program cannot read back, seek or truncate what it (or its driver)
wrote, and cannot reopen them through /proc. The harness reads at most ``file_bytes`` of
each (a program that writes more is killed and reported as an error).

The run as a whole (``Limits.run_memory_bytes``, ``processes``, ``disk_bytes``,
``disk_files``): as root, every process of a run (build and run stages, the JVM and
whatever it starts) is in one memory cgroup and one pids cgroup of its own (cgroup v1
here; v2 where the harness's cgroup delegates memory and pids), and the working directory
is a tmpfs capped in bytes and files. Without root neither can be created: the
per-process limits hold, and the working directory is capped per file only.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import os
import queue
import selectors
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence

from adjax_code.judge import host
from adjax_code.judge.channel import Channel
from adjax_code.lang import languages

PASS, FAIL, TIMEOUT, ERROR, MISSING = "pass", "fail", "timeout", "error", "toolchain_missing"
SKIP = "skip"  # a test case's status only (pytest.skip, unittest.skip): neither passed nor failed
_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Limits:
    cpu_seconds: int = 10
    wall_seconds: float = 20.0
    memory_bytes: int = 1 << 30  # RLIMIT_DATA: committed heap, not reserved address space
    processes: int = 128
    file_bytes: int = 8 << 20
    open_files: int = 256
    output_chars: int = 20_000
    tmpfs_bytes: int = 64 << 20  # the private /tmp (bubblewrap): memory, so capped
    # Address space of the program itself (not its compiler), where the runtime tolerates a
    # cap (Python, Node, Go; the JVM does not): shared anonymous memory is counted here,
    # and not by the data limit.
    address_space_bytes: int = 2 << 30
    # The run as a whole (as root: one cgroup per run, a capped tmpfs as its directory):
    # every process of the run together, the tmpfs pages it writes included.
    run_memory_bytes: int = 2 << 30
    disk_bytes: int = 128 << 20  # the working directory: all files together
    disk_files: int = 8192

    def __post_init__(self):
        for f in dataclasses.fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"limit {f.name} must be positive")


@dataclasses.dataclass(frozen=True)
class CaseResult:
    """One test case of a judged run (Python tests: ``verdict.judge_python_tests``).

    ``name``: ``test_add``, ``TestAdd.test_zero``, ``test_add[1-2-3]`` (parametrized) or
    ``line 3: assert add(1, 2) == 3`` (a top-level assert). ``status``: pass, fail or skip.
    ``message``: why it failed or was skipped (``AssertionError: assert 3 == 999``,
    ``ZeroDivisionError: division by zero``, ``not run: ...``), "" when it passed.
    ``line``: where the case starts in the tests file. ``trace``: where it failed, innermost
    last (``tests line 2, in test_add: assert add(1, 2) == 999``, ``solution line 2, in
    add: return a / 0``)."""

    name: str
    status: str
    message: str = ""
    line: int | None = None
    trace: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"name": self.name, "status": self.status, "message": self.message,
                "line": self.line, "trace": list(self.trace)}


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What happened to one program. ``status`` is pass, fail, timeout, error or
    toolchain_missing: from the exit status for a plain run, from the verdict records
    (``adjax_code.judge.verdict``) once a test harness has judged it, which also sets
    ``tests_passed``/``tests_total`` and, for Python tests, ``cases`` (one
    ``CaseResult`` each, in the order they ran)."""

    status: str
    language: str
    exit_code: int | None
    stdout: str
    stderr: str
    duration_s: float
    protections: tuple[str, ...]
    stage: str = "run"  # which command ended the run: build or run
    message: str = ""
    tests_passed: int = 0
    tests_total: int = 0
    coverage: tuple[int, ...] | None = None  # solution lines executed, when traced
    cases: tuple[CaseResult, ...] = ()  # per test case, where the harness knows them
    # False when the verdict was computed in the candidate's own process (free-form Java and
    # Go tests): a program written against the harness could forge it, so rewards that
    # train a policy refuse it (docs/security.md).
    trusted: bool = True

    @property
    def fraction_passed(self) -> float:
        if self.tests_total:
            return self.tests_passed / self.tests_total
        return 1.0 if self.status == PASS else 0.0

    @property
    def stderr_tail(self) -> str:
        """The last 20 lines (at most 2,000 characters) of what the program wrote to
        standard error."""
        tail = "\n".join(self.stderr.rstrip().splitlines()[-20:])
        return tail[-2000:]

    def to_json(self) -> dict:
        """The result as JSON data (standard output is left out: it holds the records)."""
        return {"status": self.status, "language": self.language, "exit_code": self.exit_code,
                "stage": self.stage, "message": self.message, "duration_s": self.duration_s,
                "tests_passed": self.tests_passed, "tests_total": self.tests_total,
                "fraction_passed": self.fraction_passed,
                "cases": [c.to_json() for c in self.cases], "stderr_tail": self.stderr_tail,
                "coverage": None if self.coverage is None else list(self.coverage),
                "trusted": self.trusted, "protections": list(self.protections)}


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Job:
    """What one sandboxed run does: the files it starts with, its commands (the last one is
    the run stage unless ``run_stage`` is False), and which files come back."""

    files: Mapping[str, bytes]
    commands: tuple[tuple[str, ...], ...]
    stdin: str
    limits: Limits
    run_stage: bool = True
    collect: tuple[str, ...] = ()
    collect_bytes: int = 0
    executables: tuple[str, ...] = ()


def _chown(path: str, uid: int | None) -> None:
    if uid is not None:
        os.chown(path, uid, uid)


def _write_files(workdir: str, files: Mapping[str, bytes], executables: Sequence[str],
                 uid: int | None) -> None:
    """Writes ``files`` (relative paths, no ``..``) under ``workdir``, owned by ``uid``."""
    for rel, data in files.items():
        parts = rel.split("/")
        if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"not a relative file path: {rel!r}")
        d = workdir
        for part in parts[:-1]:
            d = os.path.join(d, part)
            if not os.path.isdir(d):
                os.mkdir(d)
                _chown(d, uid)
        path = os.path.join(workdir, rel)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o755 if rel in executables else 0o644)
        _chown(path, uid)


def _read_files(workdir: str, paths: Sequence[str], max_bytes: int
                ) -> dict[str, bytes] | None:
    """The regular files at or under ``paths`` (relative to ``workdir``; links are never
    followed), relative path -> content; None when they pass ``max_bytes`` together."""
    out: dict[str, bytes] = {}
    total = 0
    pending = [p for p in paths if p]
    while pending:
        rel = pending.pop()
        path = os.path.join(workdir, rel)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            pending += [f"{rel}/{name}" for name in sorted(os.listdir(path))]
        elif stat.S_ISREG(st.st_mode):
            if total + st.st_size > max_bytes:
                return None
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                return None
            with os.fdopen(fd, "rb") as f:
                out[rel] = f.read(max_bytes - total + 1)
            total += len(out[rel])
            if total > max_bytes:
                return None
    return out


@functools.cache
def bwrap_works() -> bool:
    """Whether bubblewrap is installed and can create its namespaces here."""
    if shutil.which("bwrap") is None:
        return False
    ids = {}
    if os.geteuid() == 0:
        ids = {"user": host.SLOT_UID_BASE, "group": host.SLOT_UID_BASE, "extra_groups": []}
    try:
        probe = subprocess.run(_bwrap_prefix("/tmp") + ["true"], capture_output=True,
                               timeout=10, cwd="/", **ids)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def _system_roots() -> list[str]:
    """What a sandboxed program sees of the host, read-only: /usr, /etc, /opt, and the
    directories the toolchains resolve into when they live elsewhere (a pyenv or an SDK
    under a home directory). Nothing else: no /var, /run, /home or /root, so no Unix
    socket of the host is reachable."""
    roots = [r for r in ("/usr", "/etc", "/opt") if os.path.isdir(r)]
    for name in sorted({t for lang in languages.names() for t in languages.get(lang).toolchain}):
        found = shutil.which(name, path=_SAFE_PATH)
        if not found:
            continue
        real = os.path.realpath(found)
        if not any(real == r or real.startswith(r + "/") for r in roots):
            roots.append(os.path.dirname(os.path.dirname(real)))
    return roots


def _bwrap_prefix(workdir: str, tmpfs_bytes: int = 64 << 20) -> list[str]:
    # Always unprivileged by now (a root harness drops to a slot uid first): a user namespace.
    argv = ["bwrap", "--unshare-user"]
    for root in _system_roots():
        argv += ["--ro-bind", root, root]
    for link in ("bin", "lib", "lib64", "sbin", "lib32"):
        path = f"/{link}"
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    # / (bwrap's own tmpfs) and /dev are remounted read-only once everything is in place:
    # the only writable places are the capped /tmp and /dev/shm and the work directory.
    # No user namespace can be made inside (it could mount tmpfs of its own).
    return argv + [
        "--dev", "/dev", "--size", str(tmpfs_bytes), "--tmpfs", "/dev/shm",
        "--remount-ro", "/dev",
        "--proc", "/proc", "--size", str(tmpfs_bytes), "--tmpfs", "/tmp",
        "--bind", workdir, workdir, "--remount-ro", "/", "--disable-userns",
        "--chdir", workdir, "--unshare-pid", "--unshare-net",
        "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session",
    ]


def mode() -> str:
    """``bwrap``, ``rlimits`` (the user opted in with ``ADJAX_SANDBOX=rlimits``) or
    ``refused``: what ``adjax doctor`` reports."""
    if bwrap_works():
        return "bwrap"
    return "rlimits" if os.environ.get("ADJAX_SANDBOX") == "rlimits" else "refused"


class SandboxUnavailable(RuntimeError):
    """No sandbox that keeps its promises works here and the user has not opted in to the
    weaker one."""


WEAK_SANDBOX_HELP = (
    "bubblewrap (bwrap) does not work on this machine, so generated code would run with "
    "resource limits only: it could reach the network and write outside its directory. "
    "Install bubblewrap (Debian: apt-get install bubblewrap) where user namespaces are "
    "allowed, or set ADJAX_SANDBOX=rlimits to accept the weaker sandbox")


class Sandbox:
    """Runs programs with bounded parallelism; never hangs and never loses a result."""

    def __init__(self, limits: Limits | None = None, workers: int | None = None,
                 use_bwrap: bool | None = None, temp_dir: str | None = None):
        """``temp_dir`` holds each run's private directory (default: the system temp dir);
        when the harness is root it must be traversable by others (mode 711 or wider).

        ``use_bwrap``: None uses bubblewrap, and without it refuses to run programs
        (``SandboxUnavailable`` on the first run) unless ``ADJAX_SANDBOX=rlimits`` is set;
        False is the caller's explicit choice of resource limits only."""
        self.limits = limits or Limits()
        self.temp_dir = temp_dir
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.use_bwrap = bwrap_works() if use_bwrap is None else use_bwrap and bwrap_works()
        self.refuse = use_bwrap is None and not self.use_bwrap and \
            os.environ.get("ADJAX_SANDBOX") != "rlimits"
        self.as_root = os.geteuid() == 0
        self._slots: queue.Queue[int] = queue.Queue()
        for slot in range(self.workers):
            self._slots.put(slot)

    def protections(self) -> tuple[str, ...]:
        out = ["process-group", "tempdir", "rlimits", "address-space-cap", "wall-timeout",
               "scrubbed-env", "output-cap", "output-write-only-channel"]
        if self.as_root:
            out.append("unprivileged-uid")
            if host.cgroup_parents():
                out.append("run-cgroup-memory-pids")
            if host.mount_works():
                out.append("workdir-capped-tmpfs")
            if not self.use_bwrap:
                out.append("shared-temp-cleanup")
        if self.use_bwrap:
            out += ["bwrap-system-dirs-only", "bwrap-private-tmp-capped", "read-only-root-and-dev",
                    "no-nested-user-namespaces", "no-host-sockets",
                    "pid-namespace", "no-network", "die-with-parent"]
        return tuple(out)

    # -- one program --------------------------------------------------------------------

    def run(self, code: str, language: str, *, stdin: str = "") -> RunResult:
        """Builds (if the language compiles) and runs one whole program."""
        lang = self._checked(language)
        if isinstance(lang, RunResult):
            return lang
        return self._in_slot(lambda uid: self._run_in_slot(code, lang, stdin, uid))

    def run_pair(self, first: tuple[str, str], second: tuple[str, str], talk, *,
                 second_grace_s: float = 2.0) -> tuple[RunResult, RunResult, object]:
        """Runs two whole programs at once, each in a sandbox of its own (its own uid as
        root, directory, cgroup and namespaces: neither can see, signal or write into the
        other), and returns (first's result, second's result, ``talk(first_channel,
        second_channel)``).

        Each program's standard input is a socket whose other end is a ``Channel`` that
        only ``talk`` holds; ``talk`` runs in the caller's thread while both programs run,
        and both are stopped when it returns. ``second`` gets ``second_grace_s`` more wall
        time than ``first``, so that a first program that hangs times out while the second
        can still finish. (code, language) each."""
        langs = [languages.get(first[1]), languages.get(second[1])]
        if self.refuse:
            raise SandboxUnavailable(WEAK_SANDBOX_HELP)
        missing = sorted({t for lang in langs for t in lang.toolchain if shutil.which(t) is None})
        if missing:
            results = [RunResult(MISSING, lang.name, None, "", "", 0.0, self.protections(),
                                 stage="build", message=f"not on PATH: {', '.join(missing)}")
                       for lang in langs]
            return results[0], results[1], None
        # One slot for the pair: its two programs take turns (the tests wait on the
        # candidate's answers), so they share a worker's share of the machine.
        slots = [self._slots.get()]
        channels = [Channel(), Channel()]
        results: list[RunResult | None] = [None, None]
        locks: list[int | None] = []

        def one(i: int, code: str, uid: int | None) -> None:
            try:
                wall = self.limits.wall_seconds + (second_grace_s if i else 0.0)
                results[i] = self._run_in_slot(code, langs[i], "", uid, channels[i], wall)
            except Exception as err:  # pragma: no cover - harness bug: still a result
                results[i] = RunResult(ERROR, langs[i].name, None, "", "", 0.0,
                                       self.protections(), message=f"harness: {err!r}")
            finally:
                channels[i].finish()

        threads = []
        try:
            for i, (code, _) in enumerate((first, second)):
                uid = None
                if self.as_root:
                    uid, lock = host.acquire_uid()
                    locks.append(lock)
                threads.append(threading.Thread(target=one, args=(i, code, uid), daemon=True))
                threads[-1].start()
            value = talk(channels[0], channels[1])
        finally:
            for ch in channels:
                ch.stop()
            for t in threads:
                t.join()
            for lock in locks:
                host.release(lock)
            for slot in slots:
                self._slots.put(slot)
        return results[0], results[1], value  # type: ignore[return-value]

    def run_many(self, programs: Sequence[tuple[str, str] | tuple[str, str, str]], *,
                 progress=None) -> list[RunResult]:
        """Runs (code, language[, stdin]) tuples in parallel; results in input order."""
        results: list[RunResult | None] = [None] * len(programs)
        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            futures = {pool.submit(self.run, p[0], p[1], stdin=p[2] if len(p) > 2 else ""): i
                       for i, p in enumerate(programs)}
            for fut in concurrent.futures.as_completed(futures):
                i = futures[fut]
                try:
                    results[i] = fut.result()
                except SandboxUnavailable:
                    raise
                except Exception as err:  # pragma: no cover - harness bug: still a result
                    results[i] = RunResult(ERROR, programs[i][1], None, "", "", 0.0,
                                           self.protections(), message=f"harness: {err!r}")
                if progress is not None:
                    progress.update(1)
        return results  # type: ignore[return-value]

    # -- prepared files: a build that returns what it wrote, a run of built files ----------

    def build(self, files: Mapping[str, bytes], language: str, command: Sequence[str], *,
              collect: Sequence[str], limits: Limits | None = None,
              collect_bytes: int = 256 << 20) -> tuple[RunResult, dict[str, bytes] | None]:
        """Runs one build ``command`` over ``files`` (relative path -> content) in a sandbox
        of its own, and returns its result (stage build: pass, error or timeout, with the
        compiler's whole output up to ``limits.output_chars``) and the regular files it
        left under the ``collect`` paths (relative path -> content), whatever its exit
        status; None instead of the files when they pass ``collect_bytes`` together.
        ``limits`` replaces the sandbox's own for this run (a build of many programs needs
        more time than one)."""
        lang = self._checked(language)
        if isinstance(lang, RunResult):
            return lang, {}
        job = _Job(files=files, commands=(tuple(command),), stdin="", run_stage=False,
                   collect=tuple(collect), collect_bytes=collect_bytes,
                   limits=limits or self.limits)
        return self._in_slot(lambda uid: self._run_job(lang, job, uid))

    def run_built(self, files: Mapping[str, bytes], language: str, command: Sequence[str], *,
                  stdin: str = "", executables: Sequence[str] = ()) -> RunResult:
        """Runs ``command`` over files built elsewhere (``build``), with ``executables``
        among them marked executable: the run stage of ``run`` without its build."""
        lang = self._checked(language)
        if isinstance(lang, RunResult):
            return lang
        job = _Job(files=files, commands=(tuple(command),), stdin=stdin,
                   executables=tuple(executables), limits=self.limits)
        return self._in_slot(lambda uid: self._run_job(lang, job, uid)[0])

    def _checked(self, language: str) -> languages.Language | RunResult:
        """The language, or the toolchain-missing result; raises when the sandbox refuses."""
        lang = languages.get(language)
        if self.refuse:
            raise SandboxUnavailable(WEAK_SANDBOX_HELP)
        missing = [t for t in lang.toolchain if shutil.which(t) is None]
        if missing:
            return RunResult(MISSING, lang.name, None, "", "", 0.0, self.protections(),
                             stage="build", message=f"not on PATH: {', '.join(missing)}")
        return lang

    def _in_slot(self, work):
        """``work(uid)`` holding a worker slot (and, as root, a uid of its own)."""
        slot = self._slots.get()
        uid, lock = host.acquire_uid() if self.as_root else (None, None)
        try:
            return work(uid)
        finally:
            host.release(lock)
            self._slots.put(slot)

    def _run_in_slot(self, code: str, lang: languages.Language, stdin: str,
                     uid: int | None, channel: Channel | None = None,
                     wall_seconds: float | None = None) -> RunResult:
        job = _Job(files={lang.main_file: code.encode()}, commands=tuple(
            tuple(c) for c in lang.commands()), stdin=stdin, limits=self.limits)
        return self._run_job(lang, job, uid, channel, wall_seconds)[0]

    def _run_job(self, lang: languages.Language, job: _Job, uid: int | None,
                 channel: Channel | None = None, wall_seconds: float | None = None
                 ) -> tuple[RunResult, dict[str, bytes]]:
        start = time.monotonic()
        limits = job.limits
        wall = limits.wall_seconds if wall_seconds is None else wall_seconds
        # The run's root stays the harness's; only work/ is the program's.
        root = tempfile.mkdtemp(prefix="adjax-run-", dir=self.temp_dir)
        os.chmod(root, 0o711)
        workdir = os.path.join(root, "work")
        os.mkdir(workdir)
        tmp = "/tmp" if self.use_bwrap else os.path.join(workdir, ".tmp")
        mounted = self.as_root and host.mount_tmpfs(workdir, limits.disk_bytes,
                                                    limits.disk_files, uid)
        group = host.RunCgroup(limits, uid) if self.as_root else host.RunCgroup.none()
        try:
            if not self.use_bwrap:
                os.mkdir(tmp)
                _chown(tmp, uid)
            _chown(workdir, uid)
            _write_files(workdir, job.files, job.executables, uid)
            result = self._commands(lang, job, workdir, tmp, uid, group, channel, start, wall)
            return result, _read_files(workdir, job.collect, job.collect_bytes)
        finally:
            group.kill()
            if self.as_root:
                host.kill_uid(uid)
                if not self.use_bwrap:
                    host.remove_owned_by(uid, host.SHARED_TEMP_DIRS)
            group.remove()
            if mounted:
                host.unmount(workdir)
            shutil.rmtree(root, ignore_errors=True)

    def _commands(self, lang, job, workdir, tmp, uid, group, channel, start, wall
                  ) -> RunResult:
        """Runs the job's commands in turn (build stages, then the run stage unless the
        job is a build only) and classifies the first that fails, or the last."""
        limits = job.limits
        env = {"PATH": _SAFE_PATH, "HOME": workdir, "TMPDIR": tmp, "LANG": "C.UTF-8",
               "GOCACHE": os.path.join(workdir, ".gocache"), "GOPATH": workdir,
               "GOFLAGS": "-mod=mod", "GO111MODULE": "off", "CGO_ENABLED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "NODE_OPTIONS": "--max-old-space-size=512"}
        deadline = start + wall
        for index, cmd in enumerate(job.commands):
            stage = "run" if job.run_stage and index == len(job.commands) - 1 else "build"
            if channel is not None and channel.stopped.is_set():
                return self._result(ERROR, lang, None, "", "", start, stage,
                                    "stopped by the harness")
            code_, out, err, timed_out, overflow = self._exec(
                list(cmd), workdir, env, job.stdin if stage == "run" else "", deadline, uid,
                group, channel if stage == "run" else None, limits)
            if timed_out:
                return self._result(TIMEOUT, lang, code_, out, err, start, stage,
                                    f"killed after {wall:g}s wall time")
            if overflow:
                return self._result(ERROR, lang, code_, out, err, start, stage, overflow)
            if group.out_of_memory():
                return self._result(
                    ERROR, lang, code_, out, err, start, stage,
                    f"killed: the run passed its memory limit "
                    f"({limits.run_memory_bytes >> 20} MiB for all its processes)")
            if stage == "build" and code_ != 0:
                return self._result(ERROR, lang, code_, out, err, start, stage,
                                    first_error_line(err or out) or "build failed")
        if not job.run_stage:
            return self._result(PASS, lang, code_, out, err, start, "build", "")
        return self._classify(lang, code_, out, err, start)

    def _exec(self, cmd, workdir, env, stdin, deadline, uid, group, channel=None,
              limits: Limits | None = None):
        """(exit code, stdout, stderr, timed out, why the output was cut or ""). With a
        ``channel``, standard input is a socket whose other end the channel gets."""
        limits = limits or self.limits
        as_root = self.as_root
        argv = _capped_argv(cmd)
        if self.use_bwrap:
            argv = _bwrap_prefix(workdir, limits.tmpfs_bytes) + ["--clearenv"] + sum(
                (["--setenv", k, v] for k, v in env.items()), []) + ["--"] + argv

        # No Python runs between fork and exec (unsafe in a threaded process such as one
        # running JAX): subprocess switches uid and session in C, a shell joins the run's
        # cgroups, and prlimit(1) sets the limits just before it execs the program. CPU:
        # SIGXCPU at the soft limit, SIGKILL one second later. Every stage, compilers and
        # the JVM included, runs under the address-space cap.
        argv = group.enter_argv() + [
            "prlimit", f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 1}",
            f"--data={limits.memory_bytes}", f"--nproc={limits.processes}",
            f"--fsize={limits.file_bytes}", f"--nofile={limits.open_files}", "--core=0",
            f"--as={limits.address_space_bytes}", "--",
        ] + argv
        ids = {"user": uid, "group": uid, "extra_groups": []} if as_root else {}

        # Standard output and error: the write ends of socket pairs whose read ends only
        # the harness holds (a socket cannot be read back, seeked, truncated or reopened
        # through /proc/self/fd by the program).
        out_r, out_w = socket.socketpair()
        err_r, err_w = socket.socketpair()
        talk_h, talk_p = socket.socketpair() if channel is not None else (None, None)
        try:
            out_w.shutdown(socket.SHUT_RD)
            err_w.shutdown(socket.SHUT_RD)
            try:
                proc = subprocess.Popen(argv, cwd=workdir, env=env,
                                        stdin=subprocess.PIPE if talk_p is None
                                        else talk_p.fileno(),
                                        stdout=out_w.fileno(), stderr=err_w.fileno(),
                                        start_new_session=True, **ids)
            except OSError as err:
                if talk_h is not None:
                    talk_h.close()
                return 127, "", f"cannot start {argv[0]}: {err}", False, ""
            finally:
                out_w.close()
                err_w.close()
                if talk_p is not None:
                    talk_p.close()
            if channel is not None:
                channel.attach(talk_h)
            else:
                feeder = threading.Thread(target=_feed, args=(proc.stdin, stdin.encode()),
                                          daemon=True)
                feeder.start()
            try:
                out, err, timed_out, overflow = _collect(
                    proc, out_r, err_r, deadline, limits,
                    channel.stopped if channel is not None else None)
            finally:
                host.kill_group(proc.pid)
                group.kill()
                proc.wait()
            return (proc.returncode, out, err, timed_out, overflow)
        finally:
            out_r.close()
            err_r.close()

    def _classify(self, lang, exit_code, out, err, start) -> RunResult:
        """By exit status alone: what a *program* did. Whether tests passed is never read
        from here (a program can exit 0 or print anything); see ``adjax_code.judge.verdict``."""
        if exit_code == 0:
            return self._result(PASS, lang, exit_code, out, err, start, "run", "")
        sig = _signal_of(exit_code, self.use_bwrap)
        if sig:
            name = signal.Signals(sig).name
            why = {"SIGXCPU": "CPU time limit", "SIGXFSZ": "output or file size limit",
                   "SIGKILL": "killed"}.get(name, name)
            return self._result(ERROR, lang, exit_code, out, err, start, "run",
                                f"terminated by {name} ({why})")
        message = first_error_line(err) or f"exit code {exit_code}"
        status = FAIL if _looks_like_assertion(err) else ERROR
        return self._result(status, lang, exit_code, out, err, start, "run", message)

    def _result(self, status, lang, exit_code, out, err, start, stage, message,
                passed=0, total=0) -> RunResult:
        return RunResult(status, lang.name, exit_code, out, err, time.monotonic() - start,
                         self.protections(), stage, message, passed, total)


def _signal_of(exit_code: int | None, via_bwrap: bool) -> int | None:
    """The signal that ended a program; bwrap reports a signalled child as 128 + signal."""
    if exit_code is None:
        return None
    if exit_code < 0:
        return -exit_code
    if via_bwrap and 128 < exit_code < 128 + 32:
        return exit_code - 128
    return None


def _feed(pipe, data: bytes) -> None:
    try:
        if data:
            pipe.write(data)
    except OSError:
        pass
    finally:
        try:
            pipe.close()
        except OSError:
            pass


def _collect(proc: subprocess.Popen, out_r: socket.socket, err_r: socket.socket,
             deadline: float, limits: Limits, stop: threading.Event | None = None
             ) -> tuple[str, str, bool, str]:
    """Reads both streams until they end, the program exits (and one second has passed
    for strays that kept them open), the deadline passes, ``stop`` is set (the harness is
    done with the program), or one passes ``file_bytes``: (stdout, stderr, timed out, why
    output was cut). Keeps ``output_chars`` of each."""
    keep = limits.output_chars + 1
    bufs = {out_r: bytearray(), err_r: bytearray()}
    sizes = {out_r: 0, err_r: 0}
    names = {out_r: "standard output", err_r: "standard error"}
    timed_out, overflow, exited_at = False, "", None
    stop_seen: dict[str, float] = {}
    stopped = False
    with selectors.DefaultSelector() as sel:
        for sock in bufs:
            sock.setblocking(False)
            sel.register(sock, selectors.EVENT_READ)
        while sel.get_map() and not overflow:
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > 1.0:
                break
            if stop is not None and stop.is_set() and exited_at is None and \
                    now - stop_seen.setdefault("at", now) > 0.1:
                stopped = True
                break  # stopped, and not ending by itself: the caller kills the group
            for key, _ in sel.select(timeout=min(deadline - now, 0.05 if stop else 0.2)):
                sock = key.fileobj
                try:
                    chunk = sock.recv(1 << 16)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(sock)
                    continue
                sizes[sock] += len(chunk)
                buf = bufs[sock]
                if len(buf) < keep:
                    buf += chunk[:keep - len(buf)]
                if sizes[sock] > limits.file_bytes:
                    overflow = (f"killed: wrote more than {limits.file_bytes} bytes to "
                                f"{names[sock]} (output or file size limit)")
                    break
    if not timed_out and not overflow and not stopped:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            timed_out = True
    return _text(bufs[out_r], limits.output_chars), _text(bufs[err_r], limits.output_chars), \
        timed_out, overflow


def _text(data: bytearray, limit: int) -> str:
    text = bytes(data[:limit]).decode("utf-8", "replace")
    return text + ("\n[output truncated]" if len(data) > limit else "")


def first_error_line(text: str) -> str:
    """The line of a compiler's or program's output that says what went wrong: the last
    one naming an error or exception, else the last line (at most 300 characters)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "error" in ln or "Exception" in ln:
            return ln[:300]
    return lines[-1][:300] if lines else ""


def _looks_like_assertion(stderr: str) -> bool:
    return any(word in stderr for word in ("AssertionError", "AssertionFailedError",
                                           "ERR_ASSERTION", "assertion failed"))


# The JVM runs under the address-space cap only with its reservations bounded (measured on
# OpenJDK 17: the defaults reserve a quarter of the host's memory for the heap and 1 GiB of
# compressed class space, and fail under any cap below that); javac gets the same via -J.
JAVA_FLAGS = ("-Xmx512m", "-Xss1m", "-XX:ReservedCodeCacheSize=64m",
              "-XX:MaxMetaspaceSize=192m", "-XX:CompressedClassSpaceSize=64m",
              "-XX:+UseSerialGC")


def _capped_argv(cmd: Sequence[str]) -> list[str]:
    """``cmd`` with the JVM's reservations bounded (see ``JAVA_FLAGS``)."""
    argv = list(cmd)
    if argv and argv[0] == "java":
        return ["java", *JAVA_FLAGS, *argv[1:]]
    if argv and argv[0] == "javac":
        return ["javac", *(f"-J{f}" for f in JAVA_FLAGS), *argv[1:]]
    return argv
