"""Named configurations; each module defines ``get_config() -> dict`` of config dataclasses."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import pkgutil
from pathlib import Path

from adjax_code.app import configs as _pkg


def names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(_pkg.__path__) if not m.name.startswith("_"))


def load(name: str) -> dict:
    """A config by name (``tiny``) or by path (``my_config.py``)."""
    if name.endswith(".py"):
        path = Path(name)
        if not path.is_file():
            raise ValueError(f"config file {name} does not exist")
        spec = importlib.util.spec_from_file_location(f"adjax_config_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if not hasattr(module, "get_config"):
            raise ValueError(f"config file {name} defines no get_config()")
        return module.get_config()
    if name not in names():
        raise ValueError(f"unknown config {name!r}; valid: {names()}")
    return importlib.import_module(f"adjax_code.app.configs.{name}").get_config()


def _convert(text: str, current):
    if isinstance(current, bool):
        if text.lower() not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return text.lower() == "true"
    if text.lower() == "none":
        return None
    if current is None:  # an optional field that is unset: take the most specific reading
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text
    if isinstance(current, int):
        return int(text)
    if isinstance(current, float):
        return float(text)
    if isinstance(current, tuple):
        return tuple(type(current[0])(x) if current else x for x in text.split(","))
    return text


def apply_overrides(cfg: dict, overrides: list[str]) -> dict:
    """Applies ``section.key=value`` overrides; unknown names are errors listing valid ones."""
    cfg = dict(cfg)
    for item in overrides:
        if "=" not in item or "." not in item.split("=", 1)[0]:
            raise ValueError(f"override {item!r} must look like section.key=value")
        path, text = item.split("=", 1)
        section, key = path.split(".", 1)
        if section not in cfg:
            raise ValueError(f"unknown config section {section!r}; valid: {sorted(cfg)}")
        fields = {f.name for f in dataclasses.fields(cfg[section])}
        if key not in fields:
            raise ValueError(f"unknown key {key!r} in {section}; valid: {sorted(fields)}")
        current = getattr(cfg[section], key)
        try:
            value = _convert(text, current)
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
        try:
            cfg[section] = dataclasses.replace(cfg[section], **{key: value})
        except TypeError as err:
            raise ValueError(f"{path}: {err}") from None
    return cfg
