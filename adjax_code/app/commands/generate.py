"""``adjax generate``: write code from a specification."""

from __future__ import annotations

import argparse
import sys

from adjax_code.app.common import (
    LANGUAGES,
    UserError,
    load_generator,
    mesh_shape,
    non_negative_int,
    positive_int,
    read_text,
    sampling_args,
    select_device,
    spec_of,
    unit_float,
)


def add_parser(sub) -> None:
    gen = sub.add_parser("generate", help="write code from a specification",
                         description="Write code from a natural-language specification.")
    gen.add_argument("spec", nargs="?", default=None, help="what the code should do, in words")
    gen.add_argument("--spec-file", default=None, metavar="FILE",
                     help="read the specification from FILE (- for standard input)")
    gen.add_argument("--language", "-l", choices=LANGUAGES, default=None,
                     help="the language to write (default: python, or the config's "
                     "default_language)")
    gen.add_argument("--candidates", "--samples", dest="samples", metavar="N", type=positive_int,
                     default=None, help="candidates sampled in parallel; the best by reward is "
                     "printed (default 4, or the config's batch_size)")
    sampling_args(gen)
    gen.set_defaults(seed=None)  # the config's seed, else 0
    gen.add_argument("--config", default=None, metavar="TOML",
                     help="settings file (`adjax init` writes one): its default_language, "
                     "batch_size, seed, steps, threshold, block_size, cache, max_length, "
                     "temperature, guidance_scale, repair_rounds, precision and device apply "
                     "where no flag is given")
    gen.add_argument("--length", type=positive_int, default=None,
                     help="output tokens (default 128)")
    gen.add_argument("--prefix", default=None,
                     help="code the output must start with, kept exactly")
    gen.add_argument("--repair-rounds", type=non_negative_int, default=None,
                     help="rounds of remasking syntax errors and resampling (default 2)")
    gen.add_argument("--threshold", type=unit_float, default=None, metavar="TAU",
                     help="threshold decoding: each step commits every position whose "
                     "confidence reaches TAU (at least one), the program's end handled "
                     "inside the loop; --steps caps the steps (default: the output length). "
                     "0.5 measured best with a signature in --prefix (docs/decoding.md)")
    gen.add_argument("--block-size", type=positive_int, default=None, metavar="N",
                     help="decode in semi-autoregressive blocks of N tokens, left to right "
                     "(--steps must then be a multiple of the number of blocks)")
    gen.add_argument("--cache", choices=("prompt", "dual"), default=None,
                     help="reuse attention keys and values between steps: 'dual' reruns "
                     "only the current block, 'prompt' every output position; refreshed "
                     "once a block; an approximation (docs/decoding.md)")
    gen.add_argument("--grow", action="store_true",
                     help="draft at the model's shortest length bucket and give only the "
                     "candidates that did not end there more room (about half the work; "
                     "shorter programs: docs/decoding.md)")
    gen.add_argument("--mesh", type=mesh_shape, default=None, metavar="DATAxMODEL",
                     help="sample on DATA x MODEL devices: the weights tensor parallel over "
                     "MODEL, the candidates split over DATA; e.g. 1x8; default: one device")
    gen.add_argument("--json", action="store_true", help="print every candidate as JSON")
    job = gen.add_argument_group(
        "batch jobs", "--input FILE.jsonl: a row per request ({id, spec, language, prefix?, "
        "samples?, seed?} or {task_id, prompt}); each sample depends only on its row, seed "
        "and index (README: Batch jobs)")
    job.add_argument("--input", default=None, metavar="FILE",
                     help="JSONL rows to generate for (- for standard input)")
    job.add_argument("--output", default="-", metavar="FILE",
                     help="JSONL results, appended a batch at a time; a rerun with the same "
                     "settings resumes (default -: standard output)")
    job.add_argument("--batch-size", type=_batch_size, default="auto", metavar="N",
                     help="sampler rows a batch (requests x samples); auto: from the memory "
                     "estimate (default)")
    job.add_argument("--keep", choices=("best", "all"), default="best",
                     help="write the best candidate by reward, or every sample (with "
                     "--repair-rounds 0: the raw samples)")
    job.add_argument("--skip-bad", action="store_true",
                     help="write an error row for a bad input line and generate the rest")
    job.add_argument("--force", action="store_true",
                     help="replace an output written with another model or other settings")
    hosts = gen.add_argument_group(
        "batch jobs on several hosts", "the same command on each host: process I takes every "
        "N-th row from row I, writes OUTPUT.part-I-of-N, and process 0 joins the parts into "
        "OUTPUT in input order once all are written")
    hosts.add_argument("--coordinator", metavar="HOST:PORT",
                       help="process 0's address, or 'auto' on a cluster JAX detects")
    hosts.add_argument("--num-processes", type=positive_int, metavar="N")
    hosts.add_argument("--process-id", type=int, metavar="I", help="this process, 0 to N-1")
    gen.set_defaults(run=run)


def _batch_size(text: str) -> int | str:
    return text if text == "auto" else positive_int(text)


# generate's flag -> the settings key (``adjax_code.app.settings.APIConfig``) it defaults to
FROM_CONFIG = {"language": "default_language", "samples": "batch_size", "seed": "seed",
               "repair_rounds": "repair_rounds", "steps": "steps", "threshold": "threshold",
               "block_size": "block_size", "cache": "cache", "length": "max_length",
               "device": "device"}


# Without --config: the settings' defaults (``APIConfig()``'s, checked by a test), so that
# a plain `adjax generate` never imports the settings (and with them the adaptation code).
DEFAULTS = {"language": "python", "samples": 4, "seed": 0, "repair_rounds": 2, "steps": None,
            "threshold": None, "block_size": None, "cache": None, "length": None,
            "device": None}


def apply_config(args: argparse.Namespace):
    """Fills every flag not given from ``--config`` (or the settings' defaults); returns the
    config read, or None without one."""
    cfg = None
    if args.config is not None:
        from adjax_code.app import settings

        try:
            cfg = settings.load_config(args.config)
        except ValueError as err:
            raise UserError(str(err)) from None
    for flag, key in FROM_CONFIG.items():
        if getattr(args, flag) is None:
            setattr(args, flag, DEFAULTS[flag] if cfg is None else getattr(cfg, key))
    if cfg is not None and cfg.device is not None:
        select_device(args.device)
    return cfg


def load_configured(args: argparse.Namespace, cfg):
    """The generator, with the config's precision, temperature, guidance and reward weights
    when one is given (the API's ``configure``; flags override it in the caller)."""
    if cfg is not None and args.mesh is not None:
        raise UserError("--config places the weights on one device; drop it with --mesh "
                        "(give its settings as flags)")
    gen = load_generator(args.model, args.mesh, cycle=args.cycle)
    if cfg is None:
        return gen
    from adjax_code.app import api, settings

    try:
        return api.configure(gen, cfg, settings.resolve_device(args.device))
    except ValueError as err:
        raise UserError(str(err)) from None


def run(args: argparse.Namespace) -> int:
    import json
    import time

    from adjax_code.generate.decoding import Decoding

    cfg = apply_config(args)
    if args.input is not None:
        return run_job(args, cfg)
    if args.coordinator or args.num_processes or args.process_id is not None:
        raise UserError("--coordinator, --num-processes and --process-id split a batch job "
                        "(--input FILE) over several hosts")
    spec = spec_of(args)
    gen = load_configured(args, cfg)
    total, kept = gen.spec_tokens(spec)
    if total > kept:
        print(f"adjax: note: the specification is {total} tokens; the model reads its first "
              f"{kept}", file=sys.stderr)
    t0 = time.perf_counter()
    try:
        decoding = Decoding(steps=args.steps, threshold=args.threshold,
                            block_size=args.block_size, cache=args.cache, grow=args.grow)
        sampler = decoding.sampler(gen.cfg.sampler, args.length or gen.default_length)
        result = gen.generate(spec, args.language, samples=args.samples, seed=args.seed,
                              steps=None, length=args.length, prefix=args.prefix or "",
                              repair_rounds=args.repair_rounds, sampler=sampler,
                              grow=decoding.grow)
    except ValueError as err:
        raise UserError(str(err)) from None
    result.timings["generate_s"] = time.perf_counter() - t0
    result.timings["spec_tokens"], result.timings["spec_tokens_read"] = total, min(total, kept)
    if args.json:
        print(json.dumps({"candidates": [c.to_json() for c in result.candidates],
                          "timings": result.timings}, indent=2))
    else:
        print(result.best.code, end="" if result.best.code.endswith("\n") else "\n")
    return 0


def _job_rows(args: argparse.Namespace, gen, length: int) -> list:
    """The input's rows, every one checked before any compute."""
    from adjax_code.generate import batch

    if args.spec is not None or args.spec_file is not None or args.prefix is not None:
        raise UserError("--input takes the specifications (and prefixes) from its rows; "
                        "drop the specification argument, --spec-file and --prefix")
    source = "<stdin>" if args.input == "-" else args.input
    text = read_text(args.input, "input file")
    try:
        rows = batch.parse_rows(text.splitlines(), source, samples=args.samples,
                                seed=args.seed, language=args.language,
                                skip_bad=args.skip_bad)
        return batch.check_lengths(gen, rows, length, source, args.skip_bad)
    except batch.BadInput as err:
        raise UserError(str(err)) from None


def _job_meta(gen, args: argparse.Namespace, sampler, length: int) -> dict:
    """What decides a job's samples: the model's files and the settings (not the batch
    size, which changes none of them)."""
    import dataclasses
    import hashlib
    import json

    import jax
    import numpy as np

    if gen.manifest.get("files"):
        model = json.dumps(gen.manifest["files"], sort_keys=True).encode()
    else:
        model = b"".join(np.asarray(x).tobytes() for x in jax.tree.leaves(gen.params))
    return {"model": hashlib.sha256(model).hexdigest(),
            "settings": {"sampler": dataclasses.asdict(sampler), "length": length,
                         "repair_rounds": args.repair_rounds, "keep": args.keep,
                         "grow": bool(args.grow), "samples": args.samples, "seed": args.seed,
                         "language": args.language}}


def _join_hosts(args: argparse.Namespace) -> tuple[int, int]:
    """(this process, processes) of a job on several hosts, joined through
    ``jax.distributed``; (0, 1) for one."""
    from adjax import sharding

    try:
        joined = sharding.initialize_distributed(args.coordinator, args.num_processes,
                                                 args.process_id)
    except ValueError as err:
        raise UserError(str(err)) from None
    if not joined:
        return 0, 1
    import jax

    if args.output == "-":
        raise UserError("a job on several hosts writes its parts beside --output FILE; "
                        "standard output cannot hold them")
    return jax.process_index(), jax.process_count()


def _join(args: argparse.Namespace, rows: list, rank: int, count: int, meta: dict) -> None:
    """Waits for every process's part; process 0 joins them into ``--output``."""
    from jax.experimental import multihost_utils

    from adjax_code.generate import batch, batch_file

    multihost_utils.sync_global_devices("adjax generate: every part written")
    if rank == 0:
        order = [("id", r.id) if isinstance(r, batch.Row) else ("line", r.line) for r in rows]
        n = batch_file.join_parts(args.output, count, order, meta)
        print(f"adjax: joined {count} parts into {args.output} ({n} lines)", file=sys.stderr)


def run_job(args: argparse.Namespace, cfg=None) -> int:
    """``adjax generate --input``: rows through shared batches, results streamed out."""
    import signal
    import time

    from tqdm import tqdm

    from adjax_code.generate import batch, batch_file
    from adjax_code.generate.decoding import Decoding

    rank, count = _join_hosts(args)
    gen = load_configured(args, cfg)
    length = args.length or gen.default_length
    try:
        decoding = Decoding(steps=args.steps, threshold=args.threshold,
                            block_size=args.block_size, cache=args.cache, grow=args.grow)
        sampler = decoding.sampler(gen.cfg.sampler, length)
    except ValueError as err:
        raise UserError(str(err)) from None
    rows = _job_rows(args, gen, length)
    good = [r for r in rows if isinstance(r, batch.Row)][rank::count]
    bad = [r for r in rows if isinstance(r, batch.BadRow)] if rank == 0 else []
    expected = {r.id: r.samples if args.keep == "all" else 1 for r in good}
    meta = _job_meta(gen, args, sampler, length)
    if args.output == "-":
        out = batch_file.Output(sys.stdout.buffer, owned=False)
    else:
        target = args.output if count == 1 else batch_file.part_path(args.output, rank, count)
        try:
            out = batch_file.Output.open(target, dict(meta, part=[rank, count]) if count > 1
                                         else meta, expected, force=args.force)
        except batch_file.OutputConflict as err:
            raise UserError(str(err)) from None
    todo = [r for r in good if r.id not in out.done_ids]
    out.write([r.to_json() for r in bad if r.line not in out.done_lines])
    size = batch.auto_batch_size(gen, length) if args.batch_size == "auto" else args.batch_size
    batches = batch.plan_batches(gen, todo, size, length, decoding.grow)
    stop = []

    def interrupt(signum, frame):
        if stop:
            raise KeyboardInterrupt
        stop.append(True)
        print("\nadjax: stopping after the current batch (Ctrl-C again to stop now)",
              file=sys.stderr)

    previous = signal.signal(signal.SIGINT, interrupt)
    t0, done, samples, tokens = time.perf_counter(), 0, 0, 0
    progress = tqdm(total=len(good), initial=len(good) - len(todo), unit="row",
                    file=sys.stderr, disable=None, dynamic_ncols=True)
    try:
        for results in batch.generate_batches(gen, batches, length=length, sampler=sampler,
                                              repair_rounds=args.repair_rounds,
                                              grow=decoding.grow):
            lines = []
            for res in results:
                lines += res.lines(gen, args.keep, sampler.num_steps)
                samples += len(res.generation.candidates)
            tokens += sum(line["tokens"] for line in lines)
            out.write(lines)
            done += len(results)
            progress.update(len(results))
            seconds = time.perf_counter() - t0
            progress.set_postfix(samples_s=f"{samples / seconds:.1f}",
                                 tokens_s=f"{tokens / seconds:.0f}")
            if stop:
                break
    except ValueError as err:
        raise UserError(str(err)) from None
    finally:
        progress.close()
        signal.signal(signal.SIGINT, previous)
        out.close()
    seconds = time.perf_counter() - t0
    if count > 1 and not stop:
        _join(args, rows, rank, count, meta)
    print(f"adjax: {done} rows ({len(good) - len(todo)} already written, "
          f"{len(bad)} bad), {samples} samples, {tokens} code tokens, "
          f"{len(gen.programs)} sampler programs, {seconds:.1f} s "
          f"({done / max(seconds, 1e-9):.2f} rows/s)"
          + ("; stopped early: rerun to resume" if stop else ""), file=sys.stderr)
    return 130 if stop else 0
