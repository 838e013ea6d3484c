"""Named configurations; each module defines ``get_config() -> dict`` of config dataclasses."""

from __future__ import annotations

import importlib
import pkgutil

import configs as _pkg


def names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(_pkg.__path__) if not m.name.startswith("_"))


def load(name: str) -> dict:
    if name not in names():
        raise ValueError(f"unknown config {name!r}; valid: {names()}")
    return importlib.import_module(f"configs.{name}").get_config()
