"""What a sandboxed run holds on the host, and its release: a size-capped tmpfs working
directory and the run's memory and pids cgroups (root only), an unprivileged slot uid under
a lock file, and the killing of whatever a run leaves behind (its process group, processes
still running as its uid, files its uid left in the shared temporary directories).

``execution.Sandbox`` acquires these around every run; they hold no policy of their own.
"""

from __future__ import annotations

import ctypes
import fcntl
import functools
import os
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Sequence

_MS_NOSUID, _MS_NODEV, _MNT_DETACH = 2, 4, 2


@functools.cache
def libc():
    return ctypes.CDLL(None, use_errno=True)


def mount_tmpfs(path: str, size_bytes: int, files: int, uid: int | None) -> bool:
    """Mounts a tmpfs capped at ``size_bytes`` and ``files`` on ``path``; False where the
    harness may not mount (then only the per-file limit holds)."""
    opts = f"size={size_bytes},nr_inodes={files},mode=0700"
    if uid is not None:
        opts += f",uid={uid},gid={uid}"
    try:
        rc = libc().mount(b"adjax-work", path.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV,
                           opts.encode())
    except (OSError, AttributeError):
        return False
    return rc == 0


@functools.cache
def mount_works() -> bool:
    probe = tempfile.mkdtemp(prefix="adjax-mount-probe-")
    try:
        ok = mount_tmpfs(probe, 1 << 20, 16, None)
        if ok:
            unmount(probe)
        return ok
    finally:
        shutil.rmtree(probe, ignore_errors=True)


def unmount(path: str) -> None:
    try:
        libc().umount2(path.encode(), _MNT_DETACH)
    except (OSError, AttributeError):
        pass


@functools.cache
def cgroup_parents() -> tuple[tuple[str, str], ...]:
    """(kind, directory) where this harness may create a run's cgroups: ("v1-memory",
    dir) and ("v1-pids", dir) under its own v1 cgroups, or ("v2", dir) where its v2 cgroup
    delegates both memory and pids; () where neither can be written."""
    try:
        lines = open("/proc/self/cgroup", encoding="utf-8").read().splitlines()
    except OSError:
        return ()
    v1, v2 = {}, None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(","):
            if c in ("memory", "pids"):
                v1[c] = os.path.join("/sys/fs/cgroup", c, path.lstrip("/"))
        if controllers == "":
            v2 = path
    if len(v1) == 2 and all(os.access(d, os.W_OK) for d in v1.values()):
        return (("v1-memory", v1["memory"]), ("v1-pids", v1["pids"]))
    if v2 is not None:
        for mount in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
            d = os.path.join(mount, v2.lstrip("/"))
            try:
                delegated = open(os.path.join(d, "cgroup.subtree_control")).read().split()
            except OSError:
                continue
            if {"memory", "pids"} <= set(delegated) and os.access(d, os.W_OK):
                return (("v2", d),)
    return ()


class RunCgroup:
    """The cgroups of one run: every process of the run joins them before it execs (a
    shell as the first command), so memory (``run_memory_bytes``, the run's tmpfs pages
    included) and processes (``processes``) are capped for the run as a whole."""

    def __init__(self, limits, uid: int | None):
        self.dirs: list[tuple[str, str]] = []
        if limits is None:
            return
        name = f"adjax-run-{secrets.token_hex(6)}"
        try:
            for kind, parent in cgroup_parents():
                d = os.path.join(parent, name)
                os.mkdir(d)
                self.dirs.append((kind, d))
                if kind in ("v1-memory", "v2"):
                    limit = "memory.limit_in_bytes" if kind == "v1-memory" else "memory.max"
                    write_control(d, limit, str(limits.run_memory_bytes))
                    for swap in ("memory.memsw.limit_in_bytes", "memory.swap.max"):
                        if os.path.exists(os.path.join(d, swap)):
                            write_control(d, swap, str(limits.run_memory_bytes) if "memsw" in swap
                                   else "0", quiet=True)
                if kind in ("v1-pids", "v2"):
                    write_control(d, "pids.max", str(limits.processes))
                if uid is not None:
                    os.chown(os.path.join(d, "cgroup.procs"), uid, uid)
        except OSError:
            self.kill()
            self.remove()
            self.dirs = []

    @classmethod
    def none(cls) -> RunCgroup:
        return cls(None, None)

    def enter_argv(self) -> list[str]:
        if not self.dirs:
            return []
        joins = " && ".join(f'echo $$ > "${i + 1}"' for i in range(len(self.dirs)))
        return ["/bin/sh", "-c", f'{joins} && shift {len(self.dirs)} && exec "$@"', "sh",
                *(os.path.join(d, "cgroup.procs") for _, d in self.dirs)]

    def out_of_memory(self) -> bool:
        for kind, d in self.dirs:
            name = {"v1-memory": "memory.oom_control", "v2": "memory.events"}.get(kind)
            if name is None:
                continue
            try:
                for line in open(os.path.join(d, name), encoding="utf-8"):
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and value.strip() not in ("", "0"):
                        return True
            except OSError:
                continue
        return False

    def kill(self) -> None:
        for _ in range(20):
            found = False
            for _, d in self.dirs:
                try:
                    pids = open(os.path.join(d, "cgroup.procs")).read().split()
                except OSError:
                    continue
                for pid in pids:
                    found = True
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except (ProcessLookupError, PermissionError, ValueError):
                        pass
            if not found:
                return
            time.sleep(0.02)

    def remove(self) -> None:
        for _, d in self.dirs:
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def write_control(d: str, name: str, value: str, quiet: bool = False) -> None:
    try:
        with open(os.path.join(d, name), "w") as f:
            f.write(value)
    except OSError:
        if not quiet:
            raise


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


SLOT_UID_BASE = 61000
UID_RANGE = range(SLOT_UID_BASE, SLOT_UID_BASE + 1000)
SHARED_TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


def remove_owned_by(uid: int, dirs: Sequence[str]) -> None:
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


def uid_is_free(uid: int) -> bool:
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


def lock_dir() -> str:
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


def acquire_uid() -> tuple[int, int]:
    """An unprivileged uid that no account has, no process runs under and no other run on
    this machine holds, with its lock file open. A uid in use by anyone else is skipped,
    never cleaned up: only processes started under a held uid are ever killed."""
    locks = lock_dir()
    for uid in UID_RANGE:
        fd = os.open(os.path.join(locks, f"{uid}.lock"),
                     os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if not uid_is_free(uid):
            release(fd)
            continue
        return uid, fd
    raise RuntimeError("every sandbox uid is in use")


def release(fd: int | None) -> None:
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def kill_uid(uid: int) -> None:
    """Kills every process left running as a slot uid (daemons that left the group). A
    zombie is not running (bubblewrap's own, reparented to the host's init, waits there to
    be reaped) and is not waited for."""
    for _ in range(3):
        found = False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    os.kill(int(pid), signal.SIGKILL)
                    found = found or not is_dead(pid)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
        if not found:
            return
        time.sleep(0.05)


def is_dead(pid: str) -> bool:
    """A zombie whose threads have all ended (a leader that ended before its other
    threads shows as a zombie while they run)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            stat = f.read()
        state = stat[stat.rindex(")") + 2:][:1]
        return state in ("Z", "X") and len(os.listdir(f"/proc/{pid}/task")) <= 1
    except (OSError, ValueError):
        return True  # gone
