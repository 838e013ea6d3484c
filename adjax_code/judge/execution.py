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

Output goes to files in a directory the program cannot write, and is read back through the
descriptors the harness opened; the file-size limit caps it (a program that writes more is
killed by SIGXFSZ and reported as an error).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import fcntl
import functools
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence

from adjax_code.lang import languages

PASS, FAIL, TIMEOUT, ERROR, MISSING = "pass", "fail", "timeout", "error", "toolchain_missing"
SKIP = "skip"  # a test case's status only (pytest.skip, unittest.skip): neither passed nor failed
_SLOT_UID_BASE = 61000
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
                "protections": list(self.protections)}


@functools.cache
def bwrap_works() -> bool:
    """Whether bubblewrap is installed and can create its namespaces here."""
    if shutil.which("bwrap") is None:
        return False
    ids = {}
    if os.geteuid() == 0:
        ids = {"user": _SLOT_UID_BASE, "group": _SLOT_UID_BASE, "extra_groups": []}
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
    return argv + [
        "--dev", "/dev", "--size", str(tmpfs_bytes), "--tmpfs", "/dev/shm",
        "--proc", "/proc", "--size", str(tmpfs_bytes), "--tmpfs", "/tmp",
        "--bind", workdir, workdir, "--chdir", workdir, "--unshare-pid", "--unshare-net",
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
               "scrubbed-env", "output-cap", "output-read-by-descriptor"]
        if self.as_root:
            out.append("unprivileged-uid")
            if not self.use_bwrap:
                out.append("shared-temp-cleanup")
        if self.use_bwrap:
            out += ["bwrap-system-dirs-only", "bwrap-private-tmp-capped", "no-host-sockets",
                    "pid-namespace", "no-network", "die-with-parent"]
        return tuple(out)

    # -- one program --------------------------------------------------------------------

    def run(self, code: str, language: str, *, stdin: str = "") -> RunResult:
        """Builds (if the language compiles) and runs one whole program."""
        lang = languages.get(language)
        if self.refuse:
            raise SandboxUnavailable(WEAK_SANDBOX_HELP)
        missing = [t for t in lang.toolchain if shutil.which(t) is None]
        if missing:
            return RunResult(MISSING, lang.name, None, "", "", 0.0, self.protections(),
                             stage="build", message=f"not on PATH: {', '.join(missing)}")
        slot = self._slots.get()
        uid, lock = _acquire_uid() if self.as_root else (None, None)
        try:
            return self._run_in_slot(code, lang, stdin, uid)
        finally:
            _release(lock)
            self._slots.put(slot)

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

    def _run_in_slot(self, code: str, lang: languages.Language, stdin: str,
                     uid: int | None) -> RunResult:
        start = time.monotonic()
        # The run's root (output files) stays the harness's; only work/ is the program's.
        root = tempfile.mkdtemp(prefix="adjax-run-", dir=self.temp_dir)
        os.chmod(root, 0o711)
        workdir = os.path.join(root, "work")
        os.mkdir(workdir)
        tmp = "/tmp" if self.use_bwrap else os.path.join(workdir, ".tmp")
        try:
            with open(os.path.join(workdir, lang.main_file), "w", encoding="utf-8") as f:
                f.write(code)
            if not self.use_bwrap:
                os.mkdir(tmp)
            if self.as_root:
                for path in (workdir, os.path.join(workdir, lang.main_file)) + (
                        () if self.use_bwrap else (tmp,)):
                    os.chown(path, uid, uid)
            env = {"PATH": _SAFE_PATH, "HOME": workdir, "TMPDIR": tmp, "LANG": "C.UTF-8",
                   "GOCACHE": os.path.join(workdir, ".gocache"), "GOPATH": workdir,
                   "GOFLAGS": "-mod=mod", "GO111MODULE": "off", "PYTHONDONTWRITEBYTECODE": "1",
                   "NODE_OPTIONS": "--max-old-space-size=512"}
            commands = lang.commands()
            deadline = start + self.limits.wall_seconds
            for index, cmd in enumerate(commands):
                stage = "build" if index < len(commands) - 1 else "run"
                outcome = self._exec(cmd, workdir, root, env, stdin if stage == "run" else "",
                                     deadline, uid, cap_address_space=stage == "run" and
                                     lang.name in _ADDRESS_SPACE_OK)
                code_, out, err, timed_out = outcome
                if timed_out:
                    return self._result(TIMEOUT, lang, code_, out, err, start, stage,
                                        f"killed after {self.limits.wall_seconds:g}s wall time")
                if stage == "build" and code_ != 0:
                    return self._result(ERROR, lang, code_, out, err, start, stage,
                                        _first_error_line(err or out) or "build failed")
            return self._classify(lang, code_, out, err, start)
        finally:
            if self.as_root:
                _kill_uid(uid)
                if not self.use_bwrap:
                    _remove_owned_by(uid, _SHARED_TEMP_DIRS)
            shutil.rmtree(root, ignore_errors=True)

    def _exec(self, cmd, workdir, root, env, stdin, deadline, uid, cap_address_space=False):
        limits = self.limits
        as_root = self.as_root
        argv = list(cmd)
        if self.use_bwrap:
            argv = _bwrap_prefix(workdir, limits.tmpfs_bytes) + ["--clearenv"] + sum(
                (["--setenv", k, v] for k, v in env.items()), []) + ["--"] + argv

        # No Python runs between fork and exec (unsafe in a threaded process such as one
        # running JAX): subprocess switches uid and session in C, and prlimit(1) sets the
        # limits just before it execs the program. CPU: SIGXCPU at the soft limit, SIGKILL
        # one second later.
        argv = [
            "prlimit", f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 1}",
            f"--data={limits.memory_bytes}", f"--nproc={limits.processes}",
            f"--fsize={limits.file_bytes}", f"--nofile={limits.open_files}", "--core=0",
            *([f"--as={limits.address_space_bytes}"] if cap_address_space else []), "--",
        ] + argv
        ids = {"user": uid, "group": uid, "extra_groups": []} if as_root else {}

        # Output is read back through the descriptors opened here, never by path: a program
        # that swaps the files for links cannot make the harness read anything else.
        out_path, err_path = os.path.join(root, "stdout"), os.path.join(root, "stderr")
        with open(out_path, "w+b") as out_f, open(err_path, "w+b") as err_f:
            try:
                proc = subprocess.Popen(argv, cwd=workdir, env=env, stdin=subprocess.PIPE,
                                        stdout=out_f, stderr=err_f, start_new_session=True,
                                        **ids)
            except OSError as err:
                return 127, "", f"cannot start {argv[0]}: {err}", False
            timed_out = False
            try:
                proc.communicate(stdin.encode(), timeout=max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                _kill_group(proc.pid)
                proc.wait()
            return (proc.returncode, _read(out_f, limits.output_chars),
                    _read(err_f, limits.output_chars), timed_out)

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
        message = _first_error_line(err) or f"exit code {exit_code}"
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


def _read(f, limit: int) -> str:
    f.seek(0)
    data = f.read(limit + 1)
    text = data[:limit].decode("utf-8", "replace")
    return text + ("\n[output truncated]" if len(data) > limit else "")


def _first_error_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "error" in ln or "Exception" in ln:
            return ln[:300]
    return lines[-1][:300] if lines else ""


def _looks_like_assertion(stderr: str) -> bool:
    return any(word in stderr for word in ("AssertionError", "AssertionFailedError",
                                           "ERR_ASSERTION", "assertion failed"))


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_UID_RANGE = range(_SLOT_UID_BASE, _SLOT_UID_BASE + 1000)
_ADDRESS_SPACE_OK = {"python", "javascript", "typescript", "go"}
_SHARED_TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


def _remove_owned_by(uid: int, dirs: Sequence[str]) -> None:
    """Removes what a slot uid left in the host's shared temporary directories."""
    for d in dirs:
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


def _uid_is_free(uid: int) -> bool:
    """No account has the uid and no process runs under it."""
    import pwd

    try:
        pwd.getpwuid(uid)
        return False
    except KeyError:
        pass
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                return False
        except OSError:
            continue
    return True


def _lock_dir() -> str:
    """The harness's lock directory, created private; one that another user made first, a
    link, or one others can write is refused."""
    path = os.path.join(tempfile.gettempdir(), f"adjax-sandbox-locks-{os.geteuid()}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    import stat as stat_mod

    if not stat_mod.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise RuntimeError(f"{path} is not a private directory of this user (a link, another "
                           "owner, or writable by others); remove it and run again")
    return path


def _acquire_uid() -> tuple[int, int]:
    """An unprivileged uid that no account has, no process runs under and no other run on
    this machine holds, with its lock file open. A uid in use by anyone else is skipped,
    never cleaned up: only processes started under a held uid are ever killed."""
    lock_dir = _lock_dir()
    for uid in _UID_RANGE:
        fd = os.open(os.path.join(lock_dir, f"{uid}.lock"),
                     os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if not _uid_is_free(uid):
            _release(fd)
            continue
        return uid, fd
    raise RuntimeError("every sandbox uid is in use")


def _release(fd: int | None) -> None:
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _kill_uid(uid: int) -> None:
    """Kills every process left running as a slot uid (daemons that left the group)."""
    for _ in range(3):
        found = False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    os.kill(int(pid), signal.SIGKILL)
                    found = True
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
        if not found:
            return
        time.sleep(0.05)
