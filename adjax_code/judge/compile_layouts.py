"""How many whole programs of one compiled language share one compiler run: where each
program's files go, the one command that compiles them all, which compiler message belongs
to which program, and what each program's run gets back.

Every program lives under a directory named by a fresh 128-bit random key (Java: its
package), so no program can name a sibling's classes, package or files: the name is in no
file the program sees, and a compile-time reference (a Java ``static final`` constant, a Go
import, a TypeScript ``/// <reference>`` or ``import``) needs it. Java's siblings share one
javac run (``-proc:none``: no annotation processor, the only code javac would run; an empty
class path and source path); Go's main packages share one ``go build`` (a main package
cannot be imported; cgo is off); TypeScript's programs are the projects of one ``tsc -b``,
each type-checked as a program of its own (one sample's ``declare global`` reaches no other).
Each program then runs alone, in a sandbox holding only its own compiled files.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence

from adjax_code.lang import languages

# The registry's per-program TypeScript flags (``tsc --strict --target es2020 --module
# commonjs --skipLibCheck --outDir out``) as one project's configuration.
TS_OPTIONS = {"strict": True, "target": "es2020", "module": "commonjs", "skipLibCheck": True,
              "outDir": "out"}


def new_key() -> str:
    """A directory (and Java package) name nobody can guess: ``p`` and 32 hex digits."""
    return "p" + secrets.token_hex(16)


@dataclasses.dataclass(frozen=True)
class Built:
    """What one program's run gets: its own compiled files and the command that runs them."""

    files: dict[str, bytes]
    command: tuple[str, ...]
    executables: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Layout:
    """One compiled language's batch build.

    Attributes:
      language: the registry name.
      sources: (key, whole program) -> that program's files.
      command: the keys -> the one build command.
      collect: the keys -> what comes back from the build.
      messages_on: ``stdout`` or ``stderr``, where the compiler writes its messages.
      line_owner: (line, keys) -> the key a message line opens, or None (a continuation).
      neutral: lines that belong to no program and say nothing wrong (summaries, notes).
      built: (key, collected files) -> the program's run, or None when nothing was built.
      partial: a program without messages may take its output from a build that failed for
        a sibling (each program is compiled apart: Go, TypeScript); False: only a clean build
        counts (Java: javac may stop before writing any class).
      own_messages: a program's message lines from the batch -> what a build of its own
        prints (Java: its first 100 errors and javac's count; Go: the package header).
      error_line: which owned lines are error messages (the rest: warnings, context).
      shared_failure: messages about what the programs share (the disk, memory, open
        files): the compiler pins them on whichever program it was writing, so they make
        the whole batch unclear rather than that program's failure.
    """

    language: str
    sources: Callable[[str, str], dict[str, bytes]]
    command: Callable[[Sequence[str]], list[str]]
    collect: Callable[[Sequence[str]], list[str]]
    messages_on: str
    line_owner: Callable[[str, Mapping[str, int]], str | None]
    neutral: re.Pattern
    built: Callable[[str, Mapping[str, bytes]], Built | None]
    partial: bool
    own_messages: Callable[[list[str]], list[str]] = lambda lines: lines
    error_line: re.Pattern = re.compile(r"error", re.I)
    shared_failure: re.Pattern = re.compile(
        r"error while (writing|reading)|No space left|Too many open files|File too large|"
        r"Disk quota|OutOfMemory|out of memory|out of resources|cannot allocate memory|"
        r"resource temporarily unavailable|signal: |ENOSPC|EMFILE|EFBIG|ENOMEM|TS5033|"
        r"only showing the first",
        re.I)

    def accepts(self, code: str) -> bool:
        """Whether a program can take part (a Java file with a package of its own cannot)."""
        return not (self.language == "java" and re.search(r"^[ \t]*package\s", code, re.M))

    def plain(self, key: str, text: str) -> str:
        """``text`` as the one-program build would have said it: the key's directory and
        package gone from paths and names."""
        if self.language == "go":
            text = re.sub(rf"^# \S*\b{key}$", "# command-line-arguments", text, flags=re.M)
            return text.replace(f"./{key}/", "./").replace(f"{key}/", "./")
        return text.replace(f"{key}/", "").replace(f"{key}.", "")


# -- Java ----------------------------------------------------------------------------------

_JAVA_MESSAGE = re.compile(r"^(p[0-9a-f]{32})/Main\.java:\d+: (?:error|warning): ")
_JAVA_ERROR = re.compile(r"^\S+\.java:\d+: error: ")
_JAVAC_MAX_ERRORS = 100  # javac's default -Xmaxerrs, per run


def _java_sources(key: str, code: str) -> dict[str, bytes]:
    # On the first line, so that every line number stays the one-program build's.
    return {f"{key}/Main.java": f"package {key}; {code}".encode()}


def _java_command(keys: Sequence[str]) -> list[str]:
    # javac stops reporting after -Xmaxerrs errors in all: each program gets its own 100.
    return ["javac", "-nowarn", "-proc:none", "-implicit:none", "-cp", "none",
            "-sourcepath", "none", "-Xmaxerrs", str(_JAVAC_MAX_ERRORS * len(keys)),
            "-d", "out", *(f"{k}/Main.java" for k in keys)]


def _java_own(lines: list[str]) -> list[str]:
    """A program's error blocks as javac alone prints them: the first 100, then the count
    (and how many were left out)."""
    kept, errors = [], 0
    for line in lines:
        if _JAVA_ERROR.match(line):
            errors += 1
        if errors <= _JAVAC_MAX_ERRORS:
            kept.append(line)
    shown = min(errors, _JAVAC_MAX_ERRORS)
    kept.append(f"{shown} error" + ("s" if shown != 1 else ""))
    if errors > _JAVAC_MAX_ERRORS:
        kept.append(f"only showing the first {shown} errors, of {errors} total; "
                    "use -Xmaxerrs if you would like to see more")
    return kept


def _java_built(key: str, files: Mapping[str, bytes]) -> Built | None:
    mine = {rel[len("out/"):]: data for rel, data in files.items()
            if rel.startswith(f"out/{key}/") and rel.endswith(".class")}
    if f"{key}/Main.class" not in mine:
        return None
    run = languages.get("java").run
    return Built(mine, (*run[:-1], f"{key}.Main"))


def _owner(pattern: re.Pattern) -> Callable[[str, Mapping[str, int]], str | None]:
    def owner(line: str, keys: Mapping[str, int]) -> str | None:
        m = pattern.match(line)
        return m.group(1) if m and m.group(1) in keys else None
    return owner


JAVA = Layout(
    language="java", sources=_java_sources, command=_java_command,
    collect=lambda keys: ["out"], messages_on="stderr", line_owner=_owner(_JAVA_MESSAGE),
    neutral=re.compile(r"^(\d+ (errors?|warnings?)|Note: .*)$"), built=_java_built,
    partial=False, own_messages=_java_own, error_line=_JAVA_ERROR,
)


# -- Go ------------------------------------------------------------------------------------

_GO_HEADER = re.compile(r"^# \S*?(p[0-9a-f]{32})$")
_GO_MESSAGE = re.compile(r"^(?:\./)?(p[0-9a-f]{32})/")


def _go_owner(line: str, keys: Mapping[str, int]) -> str | None:
    m = _GO_HEADER.match(line) or _GO_MESSAGE.match(line)
    return m.group(1) if m and m.group(1) in keys else None


def _go_built(key: str, files: Mapping[str, bytes]) -> Built | None:
    binary = files.get(f"bin/{key}")
    if binary is None:
        return None
    return Built({"prog": binary}, tuple(languages.get("go").run), ("prog",))


GO = Layout(
    language="go", sources=lambda key, code: {f"{key}/main.go": code.encode()},
    # -s -w: no symbol table or DWARF (panics still name their functions), so that a batch
    # of binaries stays small on the capped working directory.
    command=lambda keys: ["go", "build", "-ldflags=-s -w", "-o", "bin/",
                          *(f"./{k}" for k in keys)],
    collect=lambda keys: ["bin"], messages_on="stderr", line_owner=_go_owner,
    neutral=re.compile(r"^$"), built=_go_built, partial=True, error_line=re.compile(r"."),
    own_messages=lambda lines: lines if lines[0].startswith("# ")
    else ["# command-line-arguments", *lines],
)


# -- TypeScript ----------------------------------------------------------------------------

_TS_MESSAGE = re.compile(r"^(p[0-9a-f]{32})/")


def _ts_sources(key: str, code: str) -> dict[str, bytes]:
    config = {"compilerOptions": TS_OPTIONS, "files": ["main.ts"]}
    return {f"{key}/main.ts": code.encode(), f"{key}/tsconfig.json": json.dumps(config).encode()}


def _ts_built(key: str, files: Mapping[str, bytes]) -> Built | None:
    js = files.get(f"{key}/out/main.js")
    if js is None:
        return None
    return Built({"out/main.js": js}, tuple(languages.get("typescript").run))


TYPESCRIPT = Layout(
    language="typescript", sources=_ts_sources, command=lambda keys: ["tsc", "-b", *keys],
    collect=lambda keys: [f"{k}/out/main.js" for k in keys], messages_on="stdout",
    line_owner=_owner(_TS_MESSAGE), neutral=re.compile(r"^$"), built=_ts_built, partial=True,
    error_line=re.compile(r"^\S+\(\d+,\d+\): error "),
)

LAYOUTS = {layout.language: layout for layout in (JAVA, GO, TYPESCRIPT)}


def attribute(layout: Layout, text: str, keys: Mapping[str, int]) -> dict[str, list[str]] | None:
    """Each program's message lines in a batch build's ``text`` (key -> lines, only keys
    with an error message), or None when a line belongs to no program or tells of a
    shared resource: a message the batch cannot pin on one program (a crash, a limit, a
    full disk) sends every program to a build of its own."""
    owned: dict[str, list[str]] = {}
    current = None
    if layout.shared_failure.search(text):
        return None
    for line in text.splitlines():
        key = layout.line_owner(line, keys)
        if key is not None:
            current = key
        elif layout.neutral.match(line):
            current = None if layout.language == "java" else current
            continue
        elif current is None:
            return None
        owned.setdefault(current, []).append(line)
    return {k: lines for k, lines in owned.items()
            if any(layout.error_line.search(ln) for ln in lines)}
