"""``adjax plan``: the memory one device needs to train a model on a mesh."""

from __future__ import annotations

import argparse
from pathlib import Path

from adjax_code.app.common import UserError, positive_int


def add_parser(sub) -> None:
    pl = sub.add_parser("plan", help="memory one device needs to train a model on a mesh",
                        description="Per-device bytes of parameters, gradients, Adam state and "
                        "EMA for a train step, from shapes alone (nothing is allocated), and "
                        "the compiled step's figures where this process has the devices "
                        "(fake CPU devices: XLA_FLAGS=--xla_force_host_platform_device_count"
                        "=N JAX_PLATFORMS=cpu).")
    pl.add_argument("model", help="a shape (qwen2.5-0.5b, dream-7b, diffucoder-7b, llada-8b), "
                    "a config name (default), or a model directory")
    pl.add_argument("--devices", default="1,8,64", help="device counts, comma-separated")
    pl.add_argument("--model-axis", type=positive_int, default=1, metavar="M",
                    help="tensor-parallel devices (the rest are data/FSDP)")
    pl.add_argument("--strategy", choices=("dp", "fsdp", "tp", "fsdp_tp"), default="fsdp")
    pl.add_argument("--batch", type=positive_int, default=None,
                    help="global batch rows (default: the device count, at least 8)")
    pl.add_argument("--length", type=positive_int, default=512, help="tokens per row")
    pl.add_argument("--ema", action="store_true", help="keep an EMA copy of the weights")
    pl.add_argument("--remat", action="store_true", help="recompute activations per block")
    pl.add_argument("--scan", action="store_true", help="scan over layers (faster compile)")
    pl.add_argument("--adapt", choices=("grpo",), default=None,
                    help="plan one coupled-GRPO update instead of a train step: frozen bf16 "
                    "base, float32 adapters and Adam (or a float32 master without "
                    "--lora-rank), a group's three passes, with and without remat")
    pl.add_argument("--lora-rank", type=int, default=0, metavar="R",
                    help="with --adapt: adapter rank (0: full fine-tuning, float32 master)")
    pl.add_argument("--group", type=positive_int, default=8, metavar="G",
                    help="with --adapt: candidates per prompt")
    pl.add_argument("--prompt-length", type=positive_int, default=256,
                    help="with --adapt: prompt tokens before the --length generated ones")
    pl.add_argument("--no-compile", action="store_true",
                    help="shapes only, even where the devices exist")
    pl.add_argument("--json", action="store_true", help="print the rows as JSON")
    pl.set_defaults(run=run)


def _plan_net(name: str):
    """The NetConfig to plan: a public shape, a named config, or a model directory."""
    import json

    from adjax import plan
    from adjax_code.model import configs

    if name in plan.SHAPES:
        return plan.SHAPES[name]
    if name in configs.names() or name.endswith(".py"):
        try:
            return configs.load(name).net
        except ValueError as err:
            raise UserError(str(err)) from None
    path = Path(name)
    if (path / "manifest.json").is_file():
        from adjax.config import NetConfig, from_dict

        manifest = json.loads((path / "manifest.json").read_text())
        return from_dict(NetConfig, manifest["config"]["net"])
    raise UserError(f"{name!r} is neither a shape ({', '.join(plan.SHAPES)}), a config "
                    f"({', '.join(configs.names())}) nor a model directory")


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from adjax import plan

    net = dataclasses.replace(_plan_net(args.model), remat=args.remat, scan_layers=args.scan)
    try:
        counts = [int(x) for x in args.devices.split(",")]
    except ValueError:
        raise UserError(f"--devices takes counts such as 1,8,64, got {args.devices!r}") \
            from None
    if args.adapt:
        return _run_grpo(args, net, counts)
    if args.lora_rank:
        raise UserError("--lora-rank plans an adaptation update: add --adapt grpo")
    rows = []
    for n in counts:
        if n < 1 or n % args.model_axis:
            raise UserError(f"{n} devices do not split into --model-axis {args.model_axis}")
        req = plan.Request(net=net, data=n // args.model_axis, model=args.model_axis,
                           strategy=args.strategy, batch=args.batch or max(n, 8),
                           length=args.length, ema=args.ema)
        try:
            rows.append(plan.plan(req, compile=not args.no_compile))
        except ValueError as err:
            raise UserError(str(err)) from None
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    n = rows[0]["parameters"]
    size = f"{n / 1e9:.2f}B" if n >= 1e9 else f"{n / 1e6:.1f}M"
    print(f"{args.model}: {size} parameters, float32 weights "
          f"and Adam; GiB per device for one train step of {rows[0]['length']} tokens a row")
    print(plan.table(rows))
    if any(r["compiled"] is None for r in rows) and not args.no_compile:
        import jax

        print(f"compiled: '-' where the mesh needs more than this process's "
              f"{jax.device_count()} devices; fake CPU devices compile any mesh: "
              "XLA_FLAGS=--xla_force_host_platform_device_count=N JAX_PLATFORMS=cpu")
    return 0


def _run_grpo(args: argparse.Namespace, net, counts: list[int]) -> int:
    import json

    from adjax import plan

    if args.lora_rank < 0:
        raise UserError(f"--lora-rank must be >= 0, got {args.lora_rank}")
    if any(n < 1 for n in counts):
        raise UserError(f"--devices takes positive counts, got {args.devices!r}")
    rows = []
    for n in counts:
        for remat in (False, True):
            req = plan.GRPORequest(net=net, lora_rank=args.lora_rank, group=args.group,
                                   length=args.length, cond_length=args.prompt_length,
                                   devices=n, remat=remat)
            rows.append({**plan.plan_grpo(req), "largest_group": plan.largest_group(req)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    r = rows[0]
    what = (f"LoRA rank {args.lora_rank} (float32 adapters and Adam, {r['trainable'] / 1e6:.0f}M"
            " trainable), bf16 base frozen" if args.lora_rank else
            "full fine-tuning: float32 master, gradients and Adam, bf16 compute copy")
    print(f"{args.model}: {r['parameters'] / 1e9:.2f}B parameters; one coupled-GRPO update "
          f"of {args.group} candidates x 3 passes, {args.prompt_length}+{args.length} tokens; "
          f"{what}; GiB per device (data parallel, base split FSDP-style)")
    print(plan.grpo_table(rows))
    print(f"fits: within one {plan.H200_BYTES / 1e9:.0f} GB device (H200); max G: the "
          "largest group that fits; activations assume a fused attention kernel")
    return 0
