"""``adjax init``: write a config file suited to this machine."""

from __future__ import annotations

import argparse
from pathlib import Path

from adjax_code.app.common import UserError


def add_parser(sub) -> None:
    ini = sub.add_parser("init", help="write a config file for this machine",
                         description="Write DIR/adjax.toml: every API setting, commented, "
                         "with device, precision and batch size suited to the detected "
                         "devices.")
    ini.add_argument("dir", nargs="?", default=None, help="default: the current directory")
    ini.add_argument("--force", action="store_true", help="replace an existing adjax.toml")
    ini.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import jax

    from adjax_code.app import doctor

    target = Path(args.dir or ".")
    if target.exists() and not target.is_dir():
        raise UserError(f"{target} exists and is not a directory")
    file = target / "adjax.toml"
    if file.exists() and not args.force:
        raise UserError(f"{file} already exists; pass --force to replace it")
    target.mkdir(parents=True, exist_ok=True)
    file.write_text(doctor.config_text(jax.default_backend()))
    print(f"wrote {file}")
    return 0
