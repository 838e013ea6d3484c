"""The ``adjax`` command."""

from __future__ import annotations

import argparse
import importlib.metadata
import shutil
import sys
from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).parent.parent / "models" / "default"
LANGUAGES = ("python", "javascript", "typescript", "java", "go")


class UserError(Exception):
    """A mistake or missing piece the user can fix; printed as one line, exit code 1."""


def _int_in(lo: int, hi: int | None, what: str):
    """An argparse type: an integer in [lo, hi) (no upper bound when hi is None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < lo or (hi is not None and value >= hi):
            raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
        return value

    return parse


def _unit_float(text: str) -> float:
    """An argparse type: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {value}")
    return value


def _mesh_shape(text: str) -> tuple[int, int]:
    """An argparse type: DATAxMODEL devices, e.g. 1x8 (tensor parallel over 8)."""
    parts = text.lower().split("x")
    try:
        data, model = (int(x) for x in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected DATAxMODEL such as 2x4, got {text!r}") \
            from None
    if data < 1 or model < 1:
        raise argparse.ArgumentTypeError(f"expected positive axis sizes, got {text!r}")
    return data, model


_positive_int = _int_in(1, None, "a positive integer")
_non_negative_int = _int_in(0, None, "an integer >= 0")
_seed = _int_in(0, 2**32, "a seed in [0, 2^32)")


MAX_SOURCE_BYTES = 4 << 20


def _read_text(path: str, what: str) -> str:
    """A UTF-8 text file (``-``: standard input), at most ``MAX_SOURCE_BYTES``; every
    problem is one clear error."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1)
    else:
        p = Path(path)
        try:
            if p.is_dir():
                raise UserError(f"{what} {path} is a directory, not a file")
            if p.exists() and not p.is_file():
                raise UserError(f"{what} {path} is not a regular file")
            with open(p, "rb") as f:
                data = f.read(MAX_SOURCE_BYTES + 1)
        except FileNotFoundError:
            raise UserError(f"{what} {path} does not exist") from None
        except PermissionError:
            raise UserError(f"{what} {path} is not readable") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise UserError(f"{what} {path} is larger than {MAX_SOURCE_BYTES >> 20} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{what} {path} is not UTF-8 text (bad byte at offset {err.start})") \
            from None


def _find_model(model_dir: str | None) -> Path:
    """The model directory to load: a packaged model (manifest.json, verified on load) or a
    training run (tokenizer.json + checkpoints/); the shipped model when none is given."""
    from adjax_code.model import model_store

    path = Path(model_dir) if model_dir else model_store.DEFAULT_DIR
    if (path / "tokenizer.json").is_file() and (path / "checkpoints").is_dir():
        return path
    if not (path / "manifest.json").is_file():
        if model_dir is None:
            raise UserError(f"no model installed: {path} holds no manifest.json; reinstall "
                            "adjax or pass --model DIR")
        raise UserError(f"no model at {path}: neither manifest.json (a packaged model) nor "
                        "checkpoints/ (a training run)")
    return path


def _load_generator(model_dir: str | None, mesh_shape: tuple[int, int] | None = None):
    from adjax_code.generate.generator import Generator
    from adjax_code.model import model_store, runtime

    runtime.enable_compilation_cache()
    path = _find_model(model_dir)
    mesh = None
    if mesh_shape is not None:
        from adjax import sharding

        try:
            mesh = sharding.make_mesh(*mesh_shape)
        except ValueError as err:
            raise UserError(f"--mesh {mesh_shape[0]}x{mesh_shape[1]}: {err}") from None
    try:
        return Generator.load(path, mesh=mesh)
    except model_store.ModelError as err:
        raise UserError(str(err)) from None
    except (ValueError, FileNotFoundError, KeyError) as err:
        raise UserError(f"cannot load the model in {path}: {err}") from None


def cmd_generate(args: argparse.Namespace) -> int:
    import json
    import time

    if args.spec_file is not None:
        if args.spec is not None:
            raise UserError("give the specification as an argument or with --spec-file, "
                            "not both")
        args.spec = _read_text(args.spec_file, "specification file")
    if args.spec is None:
        raise UserError("no specification: pass it as an argument or with --spec-file FILE "
                        "(- for standard input)")
    if not args.spec.strip():
        raise UserError("the specification is empty; describe the code you want")
    gen = _load_generator(args.model, args.mesh)
    total, kept = gen.spec_tokens(args.spec)
    if total > kept:
        print(f"adjax: note: the specification is {total} tokens; the model reads its first "
              f"{kept}", file=sys.stderr)
    import dataclasses

    sampler, steps = None, args.steps
    if args.threshold is not None:
        # As measured in benchmarks/bench_decode.py: the end handled inside the loop.
        sampler = dataclasses.replace(gen.cfg.sampler, rule="threshold",
                                      threshold=args.threshold, end_fill=True,
                                      end_threshold=0.9,
                                      num_steps=steps or args.length or gen.default_length)
        steps = None
    if args.block_size is not None or args.cache is not None:
        base = sampler or gen.cfg.sampler
        sampler = dataclasses.replace(base, cache=args.cache,
                                      block_size=args.block_size or base.block_size)
    t0 = time.perf_counter()
    try:
        result = gen.generate(args.spec, args.language, samples=args.samples, seed=args.seed,
                              steps=steps, length=args.length, prefix=args.prefix or "",
                              repair_rounds=args.repair_rounds, sampler=sampler,
                              grow=args.grow)
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


def _read_source(path: str, what: str) -> str:
    text = _read_text(path, what)
    if not text.strip():
        raise UserError(f"{what} {path} is empty")
    return text


def cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from adjax_code.judge import execution, rewards
    from adjax_code.lang import languages

    code = _read_source(args.file, "file")
    tests = _read_source(args.tests, "tests file") if args.tests else None
    try:
        lang = languages.get(args.language)
    except ValueError as err:
        raise UserError(str(err)) from None
    if tests is not None:
        missing = [t for t in lang.toolchain if shutil.which(t) is None]
        if missing:
            raise UserError(f"cannot run {lang.name} tests: {', '.join(missing)} not on PATH; "
                            "run `adjax doctor` for how to install it")
    sandbox = execution.Sandbox()
    scores = rewards.score([code], lang.name, spec=args.spec, sandbox=sandbox)[0]
    untested = []
    if tests is not None:  # one run gives the functional score and, in Python, coverage
        from adjax_code.evaluate import evaluation

        run = rewards.functional_results([code], lang.name, tests, sandbox,
                                         coverage=lang.name == "python")[0]
        scores["functional"] = run.fraction_passed
        scores["overall"] = rewards.overall(scores)
        untested = evaluation.untested(code, run)
    if args.json:
        print(json.dumps({"language": lang.name, "scores": scores,
                          "syntax_errors": [s.describe() for s in
                                            syntax_errors(code, lang.name)],
                          "untested_lines": untested,
                          "sandbox": list(sandbox.protections())}, indent=2))
    else:
        for name, value in scores.items():
            print(f"{name:<11}{value:.3f}")
        for err in syntax_errors(code, lang.name):
            print(f"syntax     {err.describe()}")
        for item in untested:
            print(f"untested   line {item['line']}: {item['code']}")
    return 0


def _language_of(path: str, given: str | None) -> str:
    """``--language`` when given, else the language whose extension the file has."""
    from adjax_code.lang import languages

    if given:
        try:
            return languages.get(given).name
        except ValueError as err:
            raise UserError(str(err)) from None
    suffix = Path(path).suffix
    for name in languages.names():
        if languages.get(name).extension == suffix:
            return name
    raise UserError(f"cannot tell the language of {path} from its extension; pass "
                    f"--language ({', '.join(languages.names())})")


def _api(args: argparse.Namespace):
    from adjax_code.app import api
    from adjax_code.model import model_store, runtime

    runtime.enable_compilation_cache()
    overrides = {"seed": args.seed}
    if args.samples:
        overrides["batch_size"] = args.samples
    if getattr(args, "steps", None):
        overrides["steps"] = args.steps
    try:
        base = api.load_config(args.config) if args.config else api.APIConfig()
        import dataclasses

        cfg = dataclasses.replace(base, **overrides)
    except ValueError as err:
        raise UserError(str(err)) from None
    path = _find_model(args.model)
    try:
        return api.create_code_generation_api(str(path), cfg)
    except model_store.ModelError as err:
        raise UserError(str(err)) from None
    except (ValueError, FileNotFoundError, KeyError) as err:
        raise UserError(f"cannot load the model in {path}: {err}") from None


def _edit_output(args: argparse.Namespace, original: str, code: str, result: dict) -> int:
    import json

    if args.json:
        print(json.dumps({"code": code, "changed": code != original,
                          **{k: v for k, v in result.items() if k != "method"}}, indent=2,
                         default=str))
    elif args.write:
        if code != original:
            Path(args.file).write_text(code)
        print(f"{'updated' if code != original else 'unchanged'}: {args.file}",
              file=sys.stderr)
    else:
        print(code, end="" if code.endswith("\n") else "\n")
    return 0


def cmd_improve(args: argparse.Namespace) -> int:
    code = _read_source(args.file, "file")
    lang = _language_of(args.file, args.language)
    tests = _read_source(args.tests, "tests file") if args.tests else None
    if not args.feedback.strip():
        raise UserError("the feedback is empty; say what to change, e.g. \"Add a docstring\"")
    api = _api(args)
    try:
        out = api.improve_code(code, args.feedback, lang, specification=args.spec or "",
                               tests=tests, iterations=args.iterations)
    except ValueError as err:
        raise UserError(str(err)) from None
    result = api.last_result
    if not result["changed"]:
        print("adjax: no candidate scored higher; the code is unchanged", file=sys.stderr)
    return _edit_output(args, code, out, {**result, "profile": api.last_profile})


def cmd_refine(args: argparse.Namespace) -> int:
    code = _read_source(args.file, "file")
    lang = _language_of(args.file, args.language)
    tests = _read_source(args.tests, "tests file") if args.tests else None
    api = _api(args)
    try:
        out = api.refine_code(code, lang, iterations=args.iterations,
                              specification=args.spec or "", tests=tests)
    except ValueError as err:
        raise UserError(str(err)) from None
    return _edit_output(args, code, out, {**api.last_result, "profile": api.last_profile})


def cmd_doctor(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from adjax_code.app import doctor

    checks = doctor.run_checks(args.model)
    if args.json:
        print(json.dumps([dataclasses.asdict(c) for c in checks], indent=2))
    else:
        for c in checks:
            print(c.line())
    failed = [c for c in checks if c.status == doctor.FAIL]
    if failed and not args.json:
        print(f"{len(failed)} problem(s) stop adjax from working; see FAIL lines above",
              file=sys.stderr)
    return 1 if failed else 0


def cmd_init(args: argparse.Namespace) -> int:
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


def cmd_eval(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from adjax_code.evaluate import evaluation

    if sum([args.references, bool(args.samples), bool(args.model)]) != 1:
        raise UserError("give one of --samples FILE, --references or --model DIR")
    if args.model:
        return _eval_model(args)
    tasks_bench = args.benchmark == "tasks"
    try:
        if args.references:
            samples = (evaluation.reference_samples(args.split or "all") if tasks_bench
                       else evaluation.humaneval_canonical())
        else:
            samples = evaluation.read_jsonl(args.samples)
        if args.limit is not None and args.references:  # the first N tasks or problems
            keep = list(dict.fromkeys(r["task_id"] for r in samples))[:args.limit]
            samples = [r for r in samples if r["task_id"] in set(keep)]
        if not samples:
            raise UserError("no samples to score")
        score = evaluation.score_task_samples if tasks_bench else evaluation.score_humaneval
        with tqdm(total=len(samples), desc="scoring", unit="prog", disable=args.quiet,
                  file=sys.stderr) as bar:
            results = score(samples, progress=bar)
    except FileNotFoundError as err:
        raise UserError(f"samples file {err.filename} does not exist") from None
    except (ValueError, KeyError, RuntimeError) as err:
        raise UserError(str(err).strip("'\"")) from None
    table = evaluation.summarize(results, ks=args.k)
    if args.plot:
        evaluation.plot_table(table, args.plot, title=f"{args.benchmark}: pass@k by language")
    return _report(args, table, evaluation.format_table(table), results)


def _report(args: argparse.Namespace, table: dict, text: str, rows: list[dict]) -> int:
    """The end of every ``adjax eval``: rows to ``--out``, the table as JSON or text."""
    import json

    from adjax_code.evaluate import evaluation

    if args.out:
        evaluation.write_jsonl(args.out, rows)
    print(json.dumps(table, indent=2) if args.json else text)
    return 0


def _eval_model(args: argparse.Namespace) -> int:

    from tqdm import tqdm

    from adjax_code import tasks
    from adjax_code.evaluate import model_eval

    if args.benchmark == "humaneval":
        return _eval_model_humaneval(args)
    split = args.split or "heldout"
    langs = args.languages or list(tasks.LANGS)
    gen = _load_generator(args.model)
    n = len(tasks.load(split)[:args.limit]) * len(langs)
    with tqdm(total=n, desc="generating", unit="task", disable=args.quiet,
              file=sys.stderr) as bar:
        rows = model_eval.generate(gen, split, langs, candidates=args.candidates,
                                   seed=args.seed, steps=args.steps, limit=args.limit,
                                   progress=bar)
    with tqdm(total=3 * len(rows), desc="scoring", unit="prog", disable=args.quiet,
              file=sys.stderr) as bar:
        rows = model_eval.score(rows, progress=bar)
    table = model_eval.summarize(rows)
    return _report(args, table, model_eval.format_table(table), rows)


def _eval_model_humaneval(args: argparse.Namespace) -> int:

    from tqdm import tqdm

    from adjax_code.evaluate import evaluation, model_eval

    gen = _load_generator(args.model)
    try:
        total = min(args.limit or 164, len(evaluation.humaneval_problems()))
    except RuntimeError as err:
        raise UserError(str(err)) from None
    with tqdm(total=total, desc="generating", unit="task", disable=args.quiet,
              file=sys.stderr) as bar:
        rows = model_eval.generate_humaneval(gen, candidates=args.candidates, seed=args.seed,
                                             steps=args.steps, limit=args.limit,
                                             progress=bar)
    with tqdm(total=len(rows), desc="scoring", unit="prog", disable=args.quiet,
              file=sys.stderr) as bar:
        results = evaluation.score_humaneval(rows, progress=bar)
    table = evaluation.summarize(results, ks=args.k)
    return _report(args, table, evaluation.format_table(table), results)


def cmd_model(args: argparse.Namespace) -> int:
    import json

    from adjax_code.model import model_store

    if args.action == "verify":
        path = Path(args.dir) if args.dir else model_store.DEFAULT_DIR
        try:
            manifest = model_store.verify(path)
        except model_store.ModelError as err:
            raise UserError(str(err)) from None
        print(f"OK {path}: {len(manifest['files'])} files match their sha256")
        return 0
    if args.action == "pull":
        if not args.dir:
            raise UserError("model pull needs a SOURCE: an http(s) URL, an archive or a "
                            "directory")
        try:
            dest = model_store.pull(args.dir, args.out, progress=not args.quiet,
                                    force=args.force)
        except model_store.ModelError as err:
            raise UserError(str(err)) from None
        except OSError as err:
            raise UserError(f"cannot install the model: {err}") from None
        print(f"installed {dest}; use it with --model {dest}")
        return 0
    if args.action == "import":
        return _import_model(args)
    if args.action == "archive":
        if not args.out:
            raise UserError("model archive needs --out FILE.tar.gz")
        try:
            out = model_store.archive(args.dir or model_store.DEFAULT_DIR, args.out)
        except model_store.ModelError as err:
            raise UserError(str(err)) from None
        print(f"wrote {out}")
        return 0
    from adjax_code.train import packaging

    if not args.out:
        raise UserError("model package needs --out DIR")
    try:
        manifest = packaging.package(args.dir, args.out, evaluate=args.evaluate,
                                     progress=not args.quiet, force=args.force)
    except (ValueError, FileNotFoundError) as err:
        raise UserError(str(err)) from None
    print(json.dumps({k: manifest[k] for k in ("files", "heldout_bits_per_token")
                      if k in manifest}, indent=2))
    return 0


def _import_model(args: argparse.Namespace) -> int:
    from adjax_code.model import hf_import, model_store

    if not args.dir:
        raise UserError("model import needs a SOURCE: a checkpoint directory or a hub id")
    src = Path(args.dir)
    if not src.exists():
        src = _hub_download(args.dir, quiet=args.quiet)
    out = Path(args.out) if args.out else model_store.user_models_dir() / src.name
    try:
        manifest = hf_import.import_checkpoint(
            src, out, dtype=args.dtype, logit_shift=args.logit_shift,
            mask_token=args.mask_token, prompt=args.prompt, force=args.force,
            progress=not args.quiet)
    except (model_store.CheckpointError, model_store.ModelError) as err:
        raise UserError(str(err)) from None
    except OSError as err:
        raise UserError(f"cannot import {src}: {err}") from None
    net, source = manifest["config"]["net"], manifest["source"]
    print(f"imported {source['family']} ({net['n_layers']} layers, d_model "
          f"{net['d_model']}, vocabulary {net['vocab_size']}) into {out}; use it with "
          f"--model {out}")
    return 0


def _hub_download(repo_id: str, *, quiet: bool) -> Path:
    """A hub checkpoint's config, tokenizer and safetensors in the local hub cache."""
    if repo_id.count("/") != 1 or repo_id.startswith(("/", ".")):
        raise UserError(f"{repo_id} is neither a directory nor a hub id ORG/NAME")
    try:
        from huggingface_hub import snapshot_download

        path = snapshot_download(repo_id, allow_patterns=["*.json", "*.safetensors"])
    except Exception as err:  # offline, unknown repo, gated: the hub raises many kinds
        raise UserError(f"cannot download {repo_id} ({type(err).__name__}: "
                        f"{str(err)[:160]}); download it elsewhere and pass the "
                        "directory") from None
    return Path(path)


def cmd_adapt(args: argparse.Namespace) -> int:
    import json

    from adjax_adapt import mechanisms
    from adjax_code.adapt import evolve

    try:
        acfg = mechanisms.AdaptConfig(
            mechanism=args.mechanism, gradient_weight=args.gradient_weight,
            memory_weight=args.memory_weight, learning_rate=args.learning_rate,
            steps_per_update=args.update_steps)
        mechanisms.get(args.mechanism)
        ecfg = evolve.EvolveConfig(cycles=args.cycles, candidates=args.candidates,
                                   steps=args.steps, seed=args.seed)
        if args.tasks in ("train", "heldout", "all"):
            items = evolve.task_items(args.tasks, args.languages or LANGUAGES)
        else:
            items = evolve.jsonl_items(args.tasks)
    except FileNotFoundError:
        raise UserError(f"--tasks {args.tasks}: no such split (train, heldout, all) or "
                        "JSONL file") from None
    except ValueError as err:
        raise UserError(str(err)) from None
    gen = _load_generator(args.model)
    _, rows = evolve.evolve(gen, items, acfg, ecfg, args.out, progress=not args.quiet,
                            log=lambda m: print(m, file=sys.stderr))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'cycle':>5}{'pass@1':>9}{'reward':>8}{'buffer':>8}{'bits/tok':>10}")
        for r in rows:
            print(f"{r['cycle']:>5}{r['pass_at_1']:>9.1f}{r['mean_reward']:>8.3f}"
                  f"{r['buffer_size']:>8}{r['heldout_bits_per_token']:>10.3f}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    import json

    from adjax import sharding
    from adjax_code.model import configs
    from adjax_code.train import trainer

    try:
        cfg = configs.load(args.config).override(args.set or [])
    except ValueError as err:
        raise UserError(str(err)) from None
    if cfg.data is None:
        raise UserError(f"config {args.config} has no data section; it is not a code-model "
                        "config")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} exists and is not a directory")
    ours = {"checkpoints", "tokenizer.json", "metrics.jsonl", "loss.png"}
    if out.is_dir() and not args.force and any(p.name not in ours for p in out.iterdir()) \
            and not (out / "checkpoints").is_dir():
        raise UserError(f"--out {out} holds files that are not a training run; choose an "
                        "empty directory, or pass --force to write into it")
    try:
        sharding.initialize_distributed(args.coordinator, args.num_processes, args.process_id)
    except ValueError as err:
        raise UserError(str(err)) from None
    try:
        summary = trainer.run(cfg, args.out, progress=not args.quiet,
                              log=lambda m: print(m, file=sys.stderr))
    except (ValueError, FloatingPointError) as err:
        raise UserError(str(err)) from None
    print(json.dumps(summary, indent=2))
    return 0


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


def cmd_plan(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from adjax import plan

    net = dataclasses.replace(_plan_net(args.model), remat=args.remat, scan_layers=args.scan)
    try:
        counts = [int(x) for x in args.devices.split(",")]
    except ValueError:
        raise UserError(f"--devices takes counts such as 1,8,64, got {args.devices!r}") \
            from None
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


def cmd_data(args: argparse.Namespace) -> int:
    import json

    from adjax_code.corpus import export

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory")
    ours = {"tokens.npz", "meta.json", "tokenizer.json"}
    foreign = sorted(p.name for p in out.iterdir() if p.name not in ours) if out.is_dir() else []
    if foreign and not args.force:
        raise UserError(f"{out} holds files that are not a token set ({', '.join(foreign[:3])}"
                        "); choose an empty directory")
    if args.max_mb <= 0:
        raise UserError(f"--max-mb must be positive, got {args.max_mb}")
    log = None if args.quiet else (lambda m: print(m, file=sys.stderr))
    try:
        meta = export.export(out, max_mb=args.max_mb, vocab_size=args.vocab_size,
                             max_files=args.max_files, max_len=args.max_len,
                             cond_len=args.cond_len, jsonl=tuple(args.jsonl or ()), log=log)
    except (ValueError, FileNotFoundError) as err:
        raise UserError(str(err)) from None
    print(json.dumps(meta, indent=2) if args.json else export.summary(meta))
    return 0


def syntax_errors(code: str, language: str):
    from adjax_code.lang import syntax

    return syntax.error_spans(code, language)


def _sampling_args(p: argparse.ArgumentParser, note: str = "",
                   model_help: str = "model directory (default: the shipped one)") -> None:
    """--steps, --seed and --model, the same on every command that samples."""
    p.add_argument("--steps", type=_positive_int, default=None, help=f"{note}denoising steps")
    p.add_argument("--seed", type=_seed, default=0, help=f"{note}sampling seed")
    p.add_argument("--model", default=None, metavar="DIR", help=model_help)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adjax", description="Diffusion-based code generation that improves from rewards.")
    try:
        version = importlib.metadata.version("adjax")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - source checkout
        version = "unknown"
    parser.add_argument("--version", action="version", version=f"adjax {version}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    gen = sub.add_parser("generate", help="write code from a specification",
                         description="Write code from a natural-language specification.")
    gen.add_argument("spec", nargs="?", default=None, help="what the code should do, in words")
    gen.add_argument("--spec-file", default=None, metavar="FILE",
                     help="read the specification from FILE (- for standard input)")
    gen.add_argument("--language", "-l", choices=LANGUAGES, default="python")
    gen.add_argument("--candidates", "--samples", dest="samples", metavar="N", type=_positive_int,
                     default=4, help="candidates sampled in parallel; the best by reward is "
                     "printed")
    _sampling_args(gen)
    gen.add_argument("--length", type=_positive_int, default=None,
                     help="output tokens (default 128)")
    gen.add_argument("--prefix", default=None,
                     help="code the output must start with, kept exactly")
    gen.add_argument("--repair-rounds", type=_non_negative_int, default=2,
                     help="rounds of remasking syntax errors and resampling")
    gen.add_argument("--threshold", type=_unit_float, default=None, metavar="TAU",
                     help="threshold decoding: each step commits every position whose "
                     "confidence reaches TAU (at least one), the program's end handled "
                     "inside the loop; --steps caps the steps (default: the output length). "
                     "0.5 measured best with a signature in --prefix (docs/decoding.md)")
    gen.add_argument("--block-size", type=_positive_int, default=None, metavar="N",
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
    gen.add_argument("--mesh", type=_mesh_shape, default=None, metavar="DATAxMODEL",
                     help="sample on DATA x MODEL devices: the weights tensor parallel over "
                     "MODEL, the candidates split over DATA; e.g. 1x8; default: one device")
    gen.add_argument("--json", action="store_true", help="print every candidate as JSON")
    gen.set_defaults(func=cmd_generate)

    ev = sub.add_parser("evaluate", help="score a source file with the rewards",
                        description="Score a source file: syntax, quality, relevance to a "
                        "specification, and the share of tests passed in the sandbox.")
    ev.add_argument("file", help="the source file to score")
    ev.add_argument("--language", "-l", required=True,
                    help=f"one of: {', '.join(LANGUAGES)}")
    ev.add_argument("--spec", default=None, help="the specification, for the relevance score")
    ev.add_argument("--tests", default=None,
                    help="test code in the same language, appended to the file and run")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.set_defaults(func=cmd_evaluate)

    def edit_parser(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=description)
        p.add_argument("file", help="the source file")
        p.add_argument("--language", "-l", default=None,
                       help="default: from the file extension")
        p.add_argument("--spec", default=None, help="what the code should do (relevance)")
        p.add_argument("--tests", default=None,
                       help="test code in the same language; candidates must pass more")
        p.add_argument("--iterations", type=_positive_int, default=2 if name == "improve" else 1,
                       help="rounds of remasking and resampling")
        p.add_argument("--candidates", "--samples", dest="samples", metavar="N", type=_positive_int,
                       default=None, help="candidates per round (default 4)")
        _sampling_args(p)
        p.add_argument("--config", default=None, help="a TOML config (see `adjax init`)")
        out = p.add_mutually_exclusive_group()
        out.add_argument("--json", action="store_true",
                         help="print the result, scores, history and profile as JSON")
        out.add_argument("--write", action="store_true",
                         help="write the result back to the file (only when it changed)")
        return p

    imp = edit_parser("improve", "change code as feedback asks",
                      "Change a source file as the feedback asks (\"Add a docstring\", "
                      "\"Add type hints\", \"Handle the empty list\"). The feedback "
                      "conditions the model; a candidate wins only if it scores higher and "
                      "has the asked-for property. Prints the result (the input when "
                      "nothing won).")
    imp.add_argument("--feedback", "-f", required=True, help="what to change, in words")
    imp.set_defaults(func=cmd_improve)
    ref = edit_parser("refine", "remask and resample the weakest spans of code",
                      "Remask the weakest spans of a source file (syntax errors, the tokens "
                      "the model finds least likely) and resample; the result never scores "
                      "lower than the input.")
    ref.set_defaults(func=cmd_refine)

    doc = sub.add_parser("doctor", help="check that this machine can run adjax",
                         description="Check Python, packages, the JAX backend and devices, "
                         "bfloat16, the grammars, toolchains for running code, the model's "
                         "integrity, the compilation cache and the sandbox. Exit 1 when a "
                         "FAIL line stops adjax from working.")
    doc.add_argument("--model", default=None, help="model directory to check")
    doc.add_argument("--json", action="store_true", help="print the checks as JSON")
    doc.set_defaults(func=cmd_doctor)

    ini = sub.add_parser("init", help="write a config file for this machine",
                         description="Write DIR/adjax.toml: every API setting, commented, "
                         "with device, precision and batch size suited to the detected "
                         "devices.")
    ini.add_argument("dir", nargs="?", default=None, help="default: the current directory")
    ini.add_argument("--force", action="store_true", help="replace an existing adjax.toml")
    ini.set_defaults(func=cmd_init)

    bench = sub.add_parser("eval", help="score samples on a benchmark (pass@k)",
                           description="Score generated samples, or the reference solutions, "
                           "on the built-in task suite or HumanEval; prints pass@k per language.")
    bench.add_argument("--benchmark", choices=("tasks", "humaneval"), default="tasks")
    bench.add_argument("--split", choices=("all", "train", "heldout"), default=None,
                       help="task-suite split (default: all for --references, heldout for "
                       "--model)")
    bench.add_argument("--samples", default=None,
                       help="JSONL: task_id, language, code (tasks) or task_id, completion "
                       "(humaneval)")
    bench.add_argument("--references", action="store_true",
                       help="score the reference / canonical solutions instead")
    _sampling_args(bench, "with --model: ",
                   "generate with this model, then score (split default: heldout)")
    bench.add_argument("--candidates", type=_positive_int, default=4,
                       help="with --model: candidates per task and language")
    bench.add_argument("--languages", nargs="+", choices=LANGUAGES, default=None,
                       help="with --model: the languages to evaluate (default: all)")
    bench.add_argument("--limit", type=_positive_int, default=None,
                       help="with --model or --references: the first N tasks of the split, "
                       "or HumanEval problems, only")
    bench.add_argument("--k", type=_positive_int, nargs="+", default=[1],
                       help="the k of pass@k (several allowed)")
    bench.add_argument("--out", default=None, help="write per-sample results as JSONL")
    bench.add_argument("--json", action="store_true", help="print the table as JSON")
    bench.add_argument("--plot", default=None, metavar="PNG",
                       help="write a bar chart of pass@k per language")
    bench.add_argument("--quiet", action="store_true", help="no progress bar")
    bench.set_defaults(func=cmd_eval)

    tr = sub.add_parser("train", help="train the code model",
                        description="Train the code model from a config; resumes from the "
                        "latest checkpoint in --out. Writes tokenizer.json, checkpoints/, "
                        "metrics.jsonl and loss.png.")
    tr.add_argument("--config", required=True, help="a config name (tiny) or a .py path")
    tr.add_argument("--out", required=True, help="run directory")
    tr.add_argument("--set", nargs="+", metavar="SECTION.KEY=VALUE",
                    help="override config values, e.g. train.steps=100")
    tr.add_argument("--force", action="store_true",
                    help="write into a non-empty --out that is not a training run")
    tr.add_argument("--quiet", action="store_true", help="no progress bar")
    multi = tr.add_argument_group(
        "several hosts", "one process per host, the same command on each (the mesh comes "
        "from the config's mesh section, e.g. --set mesh.data=-1 mesh.strategy=fsdp)")
    multi.add_argument("--coordinator", metavar="HOST:PORT",
                       help="process 0's address, or 'auto' on a cluster JAX detects "
                       "(Cloud TPU, SLURM, Open MPI)")
    multi.add_argument("--num-processes", type=_positive_int, metavar="N")
    multi.add_argument("--process-id", type=int, metavar="I", help="this process, 0 to N-1")
    tr.set_defaults(func=cmd_train)

    pl = sub.add_parser("plan", help="memory one device needs to train a model on a mesh",
                        description="Per-device bytes of parameters, gradients, Adam state and "
                        "EMA for a train step, from shapes alone (nothing is allocated), and "
                        "the compiled step's figures where this process has the devices "
                        "(fake CPU devices: XLA_FLAGS=--xla_force_host_platform_device_count"
                        "=N JAX_PLATFORMS=cpu).")
    pl.add_argument("model", help="a shape (qwen2.5-0.5b, dream-7b, diffucoder-7b, llada-8b), "
                    "a config name (default), or a model directory")
    pl.add_argument("--devices", default="1,8,64", help="device counts, comma-separated")
    pl.add_argument("--model-axis", type=_positive_int, default=1, metavar="M",
                    help="tensor-parallel devices (the rest are data/FSDP)")
    pl.add_argument("--strategy", choices=("dp", "fsdp", "tp", "fsdp_tp"), default="fsdp")
    pl.add_argument("--batch", type=_positive_int, default=None,
                    help="global batch rows (default: the device count, at least 8)")
    pl.add_argument("--length", type=_positive_int, default=512, help="tokens per row")
    pl.add_argument("--ema", action="store_true", help="keep an EMA copy of the weights")
    pl.add_argument("--remat", action="store_true", help="recompute activations per block")
    pl.add_argument("--scan", action="store_true", help="scan over layers (faster compile)")
    pl.add_argument("--no-compile", action="store_true",
                    help="shapes only, even where the devices exist")
    pl.add_argument("--json", action="store_true", help="print the rows as JSON")
    pl.set_defaults(func=cmd_plan)

    ad = sub.add_parser("adapt", help="self-evolve on tasks from the model's own rewards",
                        description="Cycles of generate -> score -> keep the best -> learn. "
                        "Task-suite items are rewarded by their example tests and measured on "
                        "their hidden tests. Writes checkpoints/, metrics.jsonl and adapt.png "
                        "to --out and resumes from them.")
    ad.add_argument("--tasks", required=True,
                    help="a task-suite split (train, heldout, all) or a JSONL file of "
                    "{spec, language, tests?, prefix?}")
    ad.add_argument("--cycles", type=_positive_int, default=3)
    ad.add_argument("--candidates", type=_positive_int, default=4,
                    help="candidates per item and cycle")
    ad.add_argument("--mechanism", default="hybrid",
                    help="gradient, memory, hybrid, grpo, or a registered name")
    ad.add_argument("--gradient-weight", type=float, default=0.5, help="hybrid only")
    ad.add_argument("--memory-weight", type=float, default=0.5, help="hybrid only")
    ad.add_argument("--learning-rate", type=float, default=3e-4)
    ad.add_argument("--update-steps", type=_positive_int, default=30,
                    help="optimizer steps per cycle")
    ad.add_argument("--languages", nargs="+", choices=LANGUAGES, default=None,
                    help="task-suite languages (default: all)")
    _sampling_args(ad)
    ad.add_argument("--out", default=None, help="run directory (checkpoints, metrics, plot)")
    ad.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ad.add_argument("--quiet", action="store_true", help="no progress bar")
    ad.set_defaults(func=cmd_adapt)

    dat = sub.add_parser("data", help="export the training rows as a compact token set",
                         description="export: the training rows (task-suite train split, "
                         "edit pairs, doc-comment -> function pairs from this machine's "
                         "source trees, your JSONL), held-out tasks excluded, tokenized with a "
                         "new BPE and packed into uint16 arrays (tokens.npz, meta.json, "
                         "tokenizer.json) for training elsewhere "
                         "(benchmarks/device/run.py).")
    dat.add_argument("action", choices=("export",))
    dat.add_argument("--out", required=True, help="the directory to write")
    dat.add_argument("--max-mb", type=float, default=40.0,
                     help="size cap of the arrays; corpus rows beyond it are left out")
    dat.add_argument("--vocab-size", type=_positive_int, default=8192)
    dat.add_argument("--max-files", type=_positive_int, default=20_000,
                     help="source files read per tree")
    dat.add_argument("--max-len", type=_positive_int, default=512,
                     help="longest code row in tokens (end token included)")
    dat.add_argument("--cond-len", type=_positive_int, default=96,
                     help="condition tokens kept (language tag + specification)")
    dat.add_argument("--jsonl", nargs="+", default=None,
                     help="JSONL files of {spec, language, code} to add")
    dat.add_argument("--force", action="store_true",
                     help="write into a directory that holds other files")
    dat.add_argument("--json", action="store_true", help="print the meta as JSON")
    dat.add_argument("--quiet", action="store_true", help="no progress lines")
    dat.set_defaults(func=cmd_data)

    mod = sub.add_parser("model", help="verify, pull, import, package or archive a model",
                         description="verify: check every file of a packaged model against "
                         "the sha256 in its manifest. pull: install a model from an http(s) "
                         "URL, an archive or a directory (checked, then installed "
                         "atomically). import: convert a pretrained diffusion checkpoint in "
                         "Hugging Face layout (Dream, DiffuCoder, LLaDA, Qwen2/Qwen3/Llama-"
                         "shaped masked diffusion) into an adjax model. package: turn a "
                         "training run into a packaged model (weights, tokenizer, manifest). "
                         "archive: a model as .tar.gz.")
    mod.add_argument("action", choices=("verify", "pull", "import", "package", "archive"))
    mod.add_argument("dir", nargs="?", default=None,
                     help="verify/archive: the model (default: the shipped one); pull: the "
                     "SOURCE; import: a local checkpoint directory or a hub id ORG/NAME; "
                     "package: the training run")
    mod.add_argument("--out", default=None,
                     help="pull/import: where to install (default: "
                     "~/.local/share/adjax/models/NAME); package: the model directory to "
                     "write; archive: the .tar.gz")
    mod.add_argument("--dtype", default="bfloat16", choices=("bfloat16", "float16", "float32"),
                     help="import: the stored weights' dtype")
    mod.add_argument("--mask-token", default=None, metavar="TEXT",
                     help="import: the [MASK] token when the checkpoint does not name one")
    mod.add_argument("--prompt", default=None, metavar="TEMPLATE",
                     help="import: the prompt, with {spec} and {language} (default: the "
                     "tokenizer's chat template around one user turn)")
    shift = mod.add_mutually_exclusive_group()
    shift.add_argument("--logit-shift", dest="logit_shift", action="store_true", default=None,
                       help="import: read position i's prediction from position i-1 (on "
                       "for Dream/DiffuCoder)")
    shift.add_argument("--no-logit-shift", dest="logit_shift", action="store_false")
    mod.add_argument("--evaluate", action="store_true",
                     help="package: also measure held-out pass@1 into the manifest")
    mod.add_argument("--force", action="store_true",
                     help="pull/import/package: replace a non-empty --out that is not a model")
    mod.add_argument("--quiet", action="store_true", help="no progress bars")
    mod.set_defaults(func=cmd_model)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as err:
        print(f"adjax: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("adjax: interrupted (runs resume from their last checkpoint)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`adjax ... | head`): stop quietly, as Unix tools do.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as err:
        from adjax_code.judge.execution import SandboxUnavailable
        from adjax_code.model.model_store import ModelError

        # A lazily loaded model finds damaged weights on first use, inside any command.
        if not isinstance(err, SandboxUnavailable | ModelError):
            raise
        print(f"adjax: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
