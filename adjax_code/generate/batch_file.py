"""A batch job's output: JSONL appended whole lines at a time, resumable.

Beside ``OUT.jsonl`` a sidecar ``OUT.jsonl.meta.json`` records the model and the settings
that decide the samples; a rerun with the same ones skips the rows already written (a row
whose lines a kill cut short is dropped, with any partial last line), a rerun with others is
refused unless forced (the output then starts over).
"""

from __future__ import annotations

import json
import os
from pathlib import Path


class OutputConflict(ValueError):
    """The output was written by a job with another model or other settings."""


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


class Output:
    """Where a job's lines go: a resumable file, or a stream (``-``: standard output)."""

    def __init__(self, stream, owned: bool = True):
        self._f, self._owned = stream, owned  # a binary stream; owned: closed by ``close``
        self.done_ids: set[str] = set()
        self.done_lines: set[int] = set()  # input lines of the error rows written

    @classmethod
    def open(cls, path: str | Path, meta: dict, expected: dict, force: bool = False
             ) -> Output:
        """The output at ``path``, resumed when its sidecar holds ``meta``. ``expected``:
        id -> the lines a finished row has (rows with fewer are written again)."""
        path = Path(path)
        side = meta_path(path)
        exists = path.exists() and path.stat().st_size > 0
        old = json.loads(side.read_text()) if side.exists() else None
        if exists and old != meta and not force:
            why = "has no sidecar " + side.name if old is None else _difference(old, meta)
            raise OutputConflict(f"{path} was written by another job ({why}); pass --force "
                                 "to replace it, or choose another --output")
        resume = exists and old == meta and not force
        if not resume:
            tmp = side.with_name(side.name + ".tmp")
            tmp.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
            os.replace(tmp, side)
            path.write_bytes(b"")
        out = cls(open(path, "r+b"))
        if resume:
            out._resume(expected)
        out._f.seek(0, os.SEEK_END)
        return out

    def _resume(self, expected: dict) -> None:
        """Reads the lines written; truncates after the last finished row (dropping a
        partial line, and a row cut short)."""
        data = self._f.read()
        counts: dict[str, int] = {}
        good = 0  # bytes up to the end of the last finished row
        pos = 0
        for raw in data.split(b"\n")[:-1]:  # the last piece has no newline: partial
            pos += len(raw) + 1
            try:
                obj = json.loads(raw)
            except ValueError:
                break
            if "error" in obj:
                self.done_lines.add(int(obj.get("line", -1)))
                good = pos
                continue
            ident = str(obj.get("id", obj.get("task_id")))
            counts[ident] = counts.get(ident, 0) + 1
            if counts[ident] >= expected.get(ident, 1):
                self.done_ids.add(ident)
                good = pos
        self._f.truncate(good)

    def write(self, lines: list[dict]) -> None:
        """Appends ``lines`` in one write, then flushes."""
        if lines:
            self._f.write("".join(json.dumps(line, ensure_ascii=False) + "\n"
                                  for line in lines).encode())
            self._f.flush()

    def close(self) -> None:
        if self._owned:
            self._f.close()


def _difference(old: dict, new: dict) -> str:
    """What differs between two sidecars, in a few words."""
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if "settings" in keys:
        o, n = old.get("settings") or {}, new.get("settings") or {}
        keys.remove("settings")
        keys += [f"{k}: {o.get(k)!r} then, {n.get(k)!r} now" for k in sorted(set(o) | set(n))
                 if o.get(k) != n.get(k)]
    return "; ".join(keys) or "unreadable sidecar"


def part_path(path: str | Path, rank: int, count: int) -> Path:
    """Where process ``rank`` of ``count`` writes its share of a job's rows."""
    path = Path(path)
    return path.with_name(f"{path.name}.part-{rank}-of-{count}")


def join_parts(path: str | Path, count: int, order: list[tuple[str, str | int]],
               meta: dict) -> int:
    """Joins the ``count`` parts of a job into ``path`` in input order (``order``: the
    input's rows as ("id", id) or ("line", n) for a bad line), with ``meta`` as its sidecar;
    written to a temporary file and moved into place. Returns the lines written."""
    path = Path(path)
    by_id: dict[str, list[bytes]] = {}
    by_line: dict[int, list[bytes]] = {}
    for rank in range(count):
        for raw in part_path(path, rank, count).read_bytes().splitlines():
            obj = json.loads(raw)
            if "error" in obj:
                by_line.setdefault(int(obj.get("line", -1)), []).append(raw)
            else:
                by_id.setdefault(str(obj.get("id", obj.get("task_id"))), []).append(raw)
    lines = [raw for kind, key in order
             for raw in (by_id if kind == "id" else by_line).get(key, [])]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(b"".join(raw + b"\n" for raw in lines))
    os.replace(tmp, path)
    side = meta_path(path)
    side.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    return len(lines)
