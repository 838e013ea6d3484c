"""The sandbox contains hostile programs, reports them, and leaves the machine as it was."""

import os
import socket
import threading
import time

import pytest

from adjax_code.judge import execution, host
from adjax_code.judge.execution import Limits, Sandbox
from adjax_code.lang import languages

LIMITS = Limits(cpu_seconds=2, wall_seconds=6, memory_bytes=512 << 20, processes=64,
                file_bytes=1 << 20, output_chars=5000)
MODES = [True, False] if execution.bwrap_works() else [False]


@pytest.fixture(scope="module")
def runs_dir():
    """A private parent for run directories, so leftovers are this module's own."""
    import shutil
    import tempfile

    path = tempfile.mkdtemp(prefix="adjax-test-runs-")
    os.chmod(path, 0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module", params=MODES, ids=lambda m: "bwrap" if m else "rlimits")
def sandbox(request, runs_dir):
    return Sandbox(LIMITS, workers=2, use_bwrap=request.param, temp_dir=runs_dir)


def _procs_with(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


@pytest.fixture
def clean_machine(runs_dir):
    yield
    assert not os.listdir(runs_dir), "a run left its temporary directory behind"


PY = "python"
JS = "javascript"


def test_well_behaved_programs(sandbox, clean_machine):
    r = sandbox.run('import sys\nprint(sys.stdin.read().upper())', PY, stdin="abc")
    assert r.status == execution.PASS and r.stdout.strip() == "ABC"
    r = sandbox.run("console.log(6 * 7)", JS)
    assert r.status == execution.PASS and r.stdout.strip() == "42"
    assert ("pid-namespace" in r.protections) == sandbox.use_bwrap


def test_failures_are_classified(sandbox):
    r = sandbox.run("assert 1 == 2, 'one is not two'", PY)
    assert r.status == execution.FAIL and "one is not two" in r.message
    r = sandbox.run("const assert = require('assert'); assert.strictEqual(1, 2);", JS)
    assert r.status == execution.FAIL
    r = sandbox.run("def f(:\n  pass", PY)
    assert r.status == execution.ERROR and "SyntaxError" in r.message
    r = sandbox.run("raise SystemExit(3)", PY)
    assert r.status == execution.ERROR and r.exit_code == 3 and "exit code 3" in r.message


def test_printed_test_lines_are_not_evidence(sandbox):
    code = "\n".join([
        "for i in range(4):",
        "    print('ADJAX-TEST', i, 'PASS')",
        "raise SystemExit(1)",
    ])
    r = sandbox.run(code, PY)
    assert r.status == execution.ERROR and r.tests_total == 0 and r.fraction_passed == 0.0


@pytest.mark.parametrize("lang,code", [
    (PY, "while True:\n    pass"),
    (JS, "while (true) {}"),
])
def test_cpu_loop_is_stopped(sandbox, lang, code, clean_machine):
    t0 = time.monotonic()
    r = sandbox.run(code, lang)
    assert time.monotonic() - t0 < LIMITS.wall_seconds + 3
    assert r.status in (execution.ERROR, execution.TIMEOUT)
    assert "CPU" in r.message or "wall" in r.message


@pytest.mark.parametrize("lang,code", [
    (PY, "import time\nwhile True:\n    time.sleep(1)"),
    (JS, "setInterval(() => {}, 1000);"),
])
def test_sleeping_program_times_out(sandbox, lang, code):
    short = Sandbox(Limits(wall_seconds=2), use_bwrap=sandbox.use_bwrap)
    r = short.run(code, lang)
    assert r.status == execution.TIMEOUT and "wall" in r.message


@pytest.mark.parametrize("lang,code", [
    (PY, "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"),
    (JS, "const cp = require('child_process');\n"
         "while (true) { try { cp.spawn('sleep', ['77.123']); } catch (e) {} }"),
])
def test_fork_bomb_is_contained(sandbox, lang, code, clean_machine):
    r = sandbox.run(code, lang)
    assert r.status in (execution.TIMEOUT, execution.ERROR)
    time.sleep(0.2)
    assert not _procs_with("77.123"), "fork bomb children survived"


@pytest.mark.parametrize("lang,code", [
    (PY, "chunks = []\nwhile True:\n    chunks.append(bytearray(50 << 20))"),
    (JS, "const a = [];\nwhile (true) { a.push(new Array(1e6).fill(1.5)); }"),
])
def test_memory_bomb_is_contained(sandbox, lang, code):
    r = sandbox.run(code, lang)
    assert r.status in (execution.ERROR, execution.TIMEOUT)
    assert r.status == execution.ERROR or "wall" in r.message
    blob = r.message + r.stderr
    assert ("MemoryError" in blob or "heap" in blob.lower() or "memory" in blob.lower()
            or "SIG" in r.message)


@pytest.mark.parametrize("lang,code", [
    (PY, "while True:\n    print('x' * 1000)"),
    (JS, "const s = 'x'.repeat(1000);\nwhile (true) { process.stdout.write(s + '\\n'); }"),
])
def test_huge_output_is_capped(sandbox, lang, code):
    r = sandbox.run(code, lang)
    assert r.status in (execution.ERROR, execution.TIMEOUT)
    assert len(r.stdout) <= LIMITS.output_chars + 100
    assert r.stdout.endswith("[output truncated]")


@pytest.mark.parametrize("lang", [PY, JS])
def test_cannot_write_outside_workdir(sandbox, lang, tmp_path):
    target = tmp_path / f"escape-{lang}.txt"
    code = {
        PY: f"open({str(target)!r}, 'w').write('owned')",
        JS: f"require('fs').writeFileSync({str(target)!r}, 'owned');",
    }[lang]
    r = sandbox.run(code, lang)
    assert r.status in (execution.ERROR, execution.FAIL)
    assert not target.exists()


@pytest.mark.parametrize("lang", [PY, JS])
def test_cannot_read_caller_environment(sandbox, lang, monkeypatch):
    monkeypatch.setenv("ADJAX_TEST_SECRET", "s3cr3t-value")
    code = {
        PY: "import os\nprint(dict(os.environ))\n"
            "try:\n    print(open(f'/proc/{os.getppid()}/environ').read())\n"
            "except OSError as e:\n    print('no', e)",
        JS: "console.log(JSON.stringify(process.env));\n"
            "try { console.log(require('fs').readFileSync('/proc/' + process.ppid + '/environ', "
            "'utf8')); } catch (e) { console.log('no', e.code); }",
    }[lang]
    r = sandbox.run(code, lang)
    assert r.status == execution.PASS
    assert "s3cr3t-value" not in r.stdout


@pytest.mark.parametrize("lang", [PY, JS])
def test_network_is_blocked_or_reported(sandbox, lang):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.1)
    port = server.getsockname()[1]
    accepted = []
    done = threading.Event()

    def accept():
        while not done.is_set() and not accepted:
            try:
                accepted.append(server.accept())
            except OSError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    code = {
        PY: f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
            "print('connected')",
        JS: f"const s = require('net').connect({port}, '127.0.0.1', () => {{"
            "console.log('connected'); s.end(); });\n"
            "s.on('error', (e) => { console.error(e.code); process.exit(2); });",
    }[lang]
    r = sandbox.run(code, lang)
    done.set()
    thread.join()
    server.close()
    if sandbox.use_bwrap:
        assert not accepted and r.status == execution.ERROR and "connected" not in r.stdout
    else:
        # Without a network namespace, loopback stays reachable; the result says so.
        assert "no-network" not in r.protections


@pytest.mark.parametrize("lang", [PY, JS])
def test_background_process_does_not_outlive_run(sandbox, lang, clean_machine):
    if not sandbox.use_bwrap and os.geteuid() != 0:
        pytest.skip("without bwrap or root, a detached daemon cannot be traced")
    code = {
        PY: "import subprocess\nsubprocess.Popen(['sleep', '88.321'], start_new_session=True)\n"
            "print('spawned')",
        JS: "const cp = require('child_process');\n"
            "cp.spawn('sleep', ['88.321'], {detached: true, stdio: 'ignore'}).unref();\n"
            "console.log('spawned');",
    }[lang]
    r = sandbox.run(code, lang)
    assert r.status == execution.PASS and "spawned" in r.stdout
    time.sleep(0.3)
    assert not _procs_with("88.321"), "a background process outlived its run"


def test_run_many_keeps_order_and_every_result(sandbox):
    programs = [(f"print({i})", PY) for i in range(6)] + [("while True: pass", PY)]
    results = sandbox.run_many(programs)
    assert [r.stdout.strip() for r in results[:6]] == [str(i) for i in range(6)]
    assert results[6].status in (execution.ERROR, execution.TIMEOUT)


def test_missing_toolchain_is_reported():
    name = "fictional_lang_test"
    if name not in languages.names():
        languages.register(languages.Language(
            name=name, extension=".fx", main_file="main.fx", grammar="tree_sitter_python:language",
            line_comment="#", block_comment=None, build=(), run=("fictional-runner", "{file}"),
            toolchain=("fictional-runner",), function_types=(), naming="snake"))
    r = Sandbox(LIMITS).run("x", name)
    assert r.status == execution.MISSING and "fictional-runner" in r.message


def test_bad_limits():
    with pytest.raises(ValueError, match="cpu_seconds"):
        Limits(cpu_seconds=0)


def test_concurrent_harnesses_do_not_interfere():
    """Two harness processes at once: neither kills the other's programs."""
    import subprocess
    import sys

    code = ("from adjax_code.judge.execution import Sandbox\n"
            "r = Sandbox().run('import time\\ntime.sleep(3)\\nprint(\"slept\")', 'python')\n"
            "print(r.status, r.stdout.strip())\n")
    other = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    mine = Sandbox(LIMITS)
    for _ in range(5):
        assert mine.run("print('x')", PY).status == execution.PASS
    out, _ = other.communicate(timeout=30)
    assert out.strip() == "pass slept"


# -- holes found by attacking the sandbox (each failed before) ----------------------------

@pytest.fixture
def unix_server():
    """A Unix-domain socket server in /var/tmp that answers "pong"."""
    import tempfile

    d = tempfile.mkdtemp(dir="/var/tmp")
    os.chmod(d, 0o777)
    path = os.path.join(d, "s.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    os.chmod(path, 0o777)
    srv.listen(1)
    srv.settimeout(10)
    got = []

    def serve():
        try:
            conn, _ = srv.accept()
            got.append(conn.recv(10))
            conn.sendall(b"pong")
            conn.close()
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    yield path, got
    srv.close()
    import shutil

    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.skipif(not execution.bwrap_works(), reason="bubblewrap does not work here")
def test_host_unix_sockets_are_out_of_reach(unix_server, runs_dir):
    path, got = unix_server
    box = Sandbox(LIMITS, workers=1, temp_dir=runs_dir)
    code = (f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({path!r})\n"
            "s.sendall(b'ping')\nprint(s.recv(10))\n")
    r = box.run(code, PY)
    assert r.status != execution.PASS and "pong" not in r.stdout and not got
    assert "no-host-sockets" in r.protections
    for hidden in ("/var/tmp", "/run", "/root", "/home"):
        assert box.run(f"import os\nprint(os.listdir({hidden!r}))", PY).status != \
            execution.PASS


def test_shared_memory_is_counted(sandbox, clean_machine):
    code = ("import mmap\nm = mmap.mmap(-1, 3 << 30, mmap.MAP_SHARED)\n"
            "for i in range(0, 3 << 30, 4096):\n    m[i] = 1\nprint('held')\n")
    r = sandbox.run(code, PY)
    assert r.status != execution.PASS and "held" not in r.stdout


@pytest.mark.skipif(not execution.bwrap_works(), reason="bubblewrap does not work here")
def test_private_tmp_is_capped(runs_dir):
    small = Sandbox(execution.Limits(cpu_seconds=5, wall_seconds=10, tmpfs_bytes=8 << 20),
                    workers=1, use_bwrap=True, temp_dir=runs_dir)
    for d in ("/tmp", "/dev/shm"):
        code = (f"for i in range(40):\n    with open(f'{d}/f{{i}}', 'wb') as f:\n"
                "        f.write(b'x' * (1 << 19))\nprint('wrote')\n")
        r = small.run(code, PY)
        assert r.status != execution.PASS and "wrote" not in r.stdout and "No space" in r.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="the harness drops to a slot uid only as root")
def test_output_files_cannot_be_swapped_for_links(sandbox, tmp_path, clean_machine):
    secret = tmp_path / "secret"
    secret.write_text("TOP-SECRET-CONTENT")
    os.chmod(secret, 0o600)
    code = ("import os, sys\n"
            "for name in ('../stderr', '../stdout'):\n"
            "    try:\n        os.remove(name)\n    except OSError as e:\n"
            "        print('blocked', e.errno)\n"
            f"    try:\n        os.symlink({str(secret)!r}, name)\n    except OSError:\n"
            "        pass\n"
            "sys.stderr.write('done')\n")
    r = sandbox.run(code, PY)
    assert "TOP-SECRET" not in r.stderr + r.stdout
    assert "done" in r.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="leftovers are found by the slot uid")
def test_rlimits_mode_leaves_no_files_in_shared_temp_dirs(runs_dir):
    import glob

    box = Sandbox(LIMITS, workers=1, use_bwrap=False, temp_dir=runs_dir)
    marker = f"adjax-leftover-{os.getpid()}"
    code = "\n".join(f"open('{d}/{marker}', 'w').write('x')" for d in
                     ("/tmp", "/var/tmp", "/dev/shm")) + "\nprint('ok')\n"
    r = box.run(code, PY)
    assert r.status == execution.PASS, r
    assert not glob.glob(f"/tmp/{marker}") + glob.glob(f"/var/tmp/{marker}") + \
        glob.glob(f"/dev/shm/{marker}")


def test_without_bwrap_untrusted_code_runs_only_when_the_user_opts_in(monkeypatch, tmp_path,
                                                                       capsys, runs_dir):
    from adjax_code.app import cli, doctor

    monkeypatch.setattr(execution, "bwrap_works", lambda: False)
    monkeypatch.delenv("ADJAX_SANDBOX", raising=False)
    with pytest.raises(execution.SandboxUnavailable, match="ADJAX_SANDBOX=rlimits"):
        Sandbox(LIMITS).run("print(1)", PY)
    assert Sandbox(LIMITS, use_bwrap=False, temp_dir=runs_dir).run("print(1)", PY).status == \
        execution.PASS  # the caller's explicit choice
    code, tests = tmp_path / "a.py", tmp_path / "t.py"
    code.write_text("def add(a, b):\n    return a + b\n")
    tests.write_text("assert add(1, 2) == 3\n")
    assert cli.main(["evaluate", str(code), "-l", "python", "--tests", str(tests)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bubblewrap" in err
    assert doctor._sandbox().detail.startswith("mode refused")
    monkeypatch.setenv("ADJAX_SANDBOX", "rlimits")
    assert Sandbox(LIMITS, temp_dir=runs_dir).run("print(1)", PY).status == execution.PASS
    assert doctor._sandbox().detail.startswith("mode rlimits")


@pytest.mark.skipif(os.geteuid() != 0, reason="slot uids are used only as root")
def test_uids_in_use_are_skipped_and_never_killed(monkeypatch, tmp_path):
    import subprocess

    monkeypatch.setattr(host, "UID_RANGE", range(61990, 61993))
    other = subprocess.Popen(["sleep", "30"], user=61990, group=61990, extra_groups=[])
    try:
        time.sleep(0.2)
        uid, fd = host.acquire_uid()
        assert uid == 61991
        host.release(fd)
        host.kill_uid(uid)
        assert other.poll() is None  # the other user's process lives on
    finally:
        other.kill()
        other.wait()


def test_a_lock_directory_made_by_someone_else_is_refused(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    lock = tmp_path / f"adjax-sandbox-locks-{os.geteuid()}"
    lock.mkdir(mode=0o777)
    os.chmod(lock, 0o777)
    with pytest.raises(RuntimeError, match="not a private directory"):
        host.lock_dir()
    lock.rmdir()
    os.symlink(tmp_path, lock)
    with pytest.raises(RuntimeError, match="not a private directory"):
        host.lock_dir()
    lock.unlink()
    assert host.lock_dir() == str(lock)


def test_build_returns_its_files_and_run_built_runs_them(sandbox, clean_machine):
    """A build's output comes back (or None past ``collect_bytes``) and runs elsewhere."""
    files = {"src/main.go": b'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n'}
    build, built = sandbox.build(files, "go", ["go", "build", "-o", "bin/prog", "./src"],
                                 collect=["bin", "missing"], limits=Limits())
    assert build.status == execution.PASS and build.stage == "build", build
    assert list(built) == ["bin/prog"]
    run = sandbox.run_built({"prog": built["bin/prog"]}, "go", ["./prog"],
                            executables=["prog"])
    assert run.status == execution.PASS and run.stdout == "hi\n", run
    _, too_big = sandbox.build(files, "go", ["go", "build", "-o", "bin/prog", "./src"],
                               collect=["bin"], limits=Limits(), collect_bytes=1000)
    assert too_big is None
    with pytest.raises(ValueError, match="relative file path"):
        sandbox.run_built({"../x": b""}, "go", ["./prog"])


@pytest.mark.skipif(os.geteuid() != 0, reason="slot uids are used only as root")
def test_leftovers_of_a_uid_are_killed_and_zombies_not_waited_for():
    """A process whose first thread ended while another runs looks like a zombie and is
    alive: it is killed. A zombie (bubblewrap's, reparented to the host's init after every
    run) is not waited for (that wait was 0.15 s of every run)."""
    import shutil
    import subprocess

    python = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    uid, fd = host.acquire_uid()
    try:
        code = ("import ctypes, threading, time\n"
                "threading.Thread(target=lambda: time.sleep(60)).start()\n"
                "ctypes.CDLL(None).pthread_exit(None)\n")
        alive = subprocess.Popen([python, "-c", code], user=uid, group=uid, cwd="/")
        zombie = subprocess.Popen(["/bin/true"], user=uid, group=uid, cwd="/")
        time.sleep(1.0)
        host.kill_uid(uid)
        assert alive.wait(timeout=5) == -9  # killed, not left running
        t0 = time.monotonic()
        host.kill_uid(uid)  # only the zombie is left
        assert time.monotonic() - t0 < 0.05
        zombie.wait()
    finally:
        host.release(fd)
