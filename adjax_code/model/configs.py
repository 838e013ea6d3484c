"""A code model's run configuration: one typed, frozen object, and the named ones in configs/.

``RunConfig`` holds every section a model is trained and sampled with (network, diffusion,
sampler, optimiser, training run, data, mesh). It travels down whole: the trainer, the
generator, packaging and import read its attributes; manifests and checkpoints store
``to_dict()`` and ``from_dict`` reads them back (a section written before it existed takes
its default). The named configurations are TOML files in the repository's top-level
``configs/``, shipped in the wheel as ``adjax_code/configs``; ``--set section.key=value``
overrides any field.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from adjax.config import (
    MaskedDiffusionConfig,
    MeshConfig,
    NetConfig,
    OptimConfig,
    SamplerConfig,
    TrainConfig,
    to_dict,
)
from adjax_code.corpus.data import DataConfig

_SECTIONS = {"net": NetConfig, "diffusion": MaskedDiffusionConfig, "sampler": SamplerConfig,
             "optim": OptimConfig, "train": TrainConfig, "data": DataConfig,
             "mesh": MeshConfig}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Every section of a code model's configuration.

    Attributes:
      net, diffusion, sampler, optim, train, mesh: the core's configs (``adjax.config``).
      data: what the code model trains on; None for a configuration of the network alone
        (the accelerator benchmark's ``small``), which ``adjax train`` refuses.
    """

    net: NetConfig
    diffusion: MaskedDiffusionConfig
    sampler: SamplerConfig = dataclasses.field(default_factory=SamplerConfig)
    optim: OptimConfig = dataclasses.field(default_factory=OptimConfig)
    train: TrainConfig = dataclasses.field(default_factory=TrainConfig)
    data: DataConfig | None = None
    mesh: MeshConfig = dataclasses.field(default_factory=MeshConfig)

    def replace(self, **sections: Any) -> RunConfig:
        """A copy with whole sections replaced (``cfg.replace(net=net)``)."""
        return dataclasses.replace(self, **sections)

    def to_dict(self) -> dict[str, dict]:
        """A JSON-ready dict of the sections present (manifests, checkpoint metadata)."""
        return {name: to_dict(getattr(self, name)) for name in _SECTIONS
                if getattr(self, name) is not None}

    @classmethod
    def from_dict(cls, values: dict[str, Any], *, source: str = "config") -> RunConfig:
        """A config from ``to_dict`` output or a TOML document; an unknown section or key,
        or a bad value, is a ValueError naming it and ``source``."""
        if not isinstance(values, dict):
            raise ValueError(f"{source} must be a table of sections, got "
                             f"{type(values).__name__}")
        unknown = sorted(set(values) - set(_SECTIONS))
        if unknown:
            raise ValueError(f"{source}: unknown section {unknown[0]!r}; valid: "
                             f"{', '.join(_SECTIONS)}")
        missing = [name for name in ("net", "diffusion") if name not in values]
        if missing:
            raise ValueError(f"{source}: the section {missing[0]!r} is required")
        sections = {}
        for name, section in values.items():
            sections[name] = _section(_SECTIONS[name], section, f"{source}: [{name}]")
        return cls(**sections)

    def override(self, items: list[str]) -> RunConfig:
        """The config with ``section.key=value`` overrides applied; unknown names are errors
        listing the valid ones."""
        cfg = self
        for item in items:
            if "=" not in item or "." not in item.split("=", 1)[0]:
                raise ValueError(f"override {item!r} must look like section.key=value")
            path, text = item.split("=", 1)
            section, key = path.split(".", 1)
            if section not in _SECTIONS:
                raise ValueError(f"unknown config section {section!r}; valid: "
                                 f"{sorted(_SECTIONS)}")
            current_section = getattr(cfg, section)
            if current_section is None:
                current_section = _SECTIONS[section]()
            fields = {f.name for f in dataclasses.fields(current_section)}
            if key not in fields:
                raise ValueError(f"unknown key {key!r} in {section}; valid: {sorted(fields)}")
            try:
                value = _convert(text, getattr(current_section, key))
                new = dataclasses.replace(current_section, **{key: value})
            except (TypeError, ValueError) as err:
                raise ValueError(f"{path}: {err}") from None
            cfg = cfg.replace(**{section: new})
        return cfg


def _section(cls: type, values: Any, where: str):
    if not isinstance(values, dict):
        raise ValueError(f"{where} must be a table, got {type(values).__name__}")
    valid = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - valid)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}; valid: {sorted(valid)}")
    # TOML and JSON have arrays, the configs tuples.
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    try:
        return cls(**values)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: {err}") from None


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


# -- named configurations ------------------------------------------------------------------

def configs_dir() -> Path:
    """Where the named configurations are: inside the installed wheel, or the checkout's
    top-level ``configs/``."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "configs"
    return shipped if shipped.is_dir() else package.parent / "configs"


def names() -> list[str]:
    """The named configurations (``default``, ``tiny``, ...)."""
    return sorted(p.stem for p in configs_dir().glob("*.toml"))


def load(name: str) -> RunConfig:
    """A named configuration (``tiny``) or a TOML file by path (``my_config.toml``)."""
    if name.endswith(".toml") or "/" in name:
        path = Path(name)
        if not path.is_file():
            raise ValueError(f"config file {name} does not exist")
    else:
        if name not in names():
            raise ValueError(f"unknown config {name!r}; valid: {names()} or a .toml file")
        path = configs_dir() / f"{name}.toml"
    try:
        values = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"config file {path} is not valid TOML: {err}") from None
    return RunConfig.from_dict(values, source=f"config {path.name}")
