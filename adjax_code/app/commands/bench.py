"""``adjax eval``: pass@k of samples, the reference solutions or a model, on the task suite
or HumanEval."""

from __future__ import annotations

import argparse
import sys

from adjax_code.app.common import LANGUAGES, UserError, load_generator, positive_int, sampling_args


def add_parser(sub) -> None:
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
    sampling_args(bench, "with --model: ",
                  "generate with this model, then score (split default: heldout)")
    bench.add_argument("--candidates", type=positive_int, default=4,
                       help="with --model: candidates per task and language")
    bench.add_argument("--languages", nargs="+", choices=LANGUAGES, default=None,
                       help="with --model: the languages to evaluate (default: all)")
    bench.add_argument("--limit", type=positive_int, default=None,
                       help="with --model or --references: the first N tasks of the split, "
                       "or HumanEval problems, only")
    bench.add_argument("--k", type=positive_int, nargs="+", default=[1],
                       help="the k of pass@k (several allowed)")
    bench.add_argument("--out", default=None, help="write per-sample results as JSONL")
    bench.add_argument("--json", action="store_true", help="print the table as JSON")
    bench.add_argument("--plot", default=None, metavar="PNG",
                       help="write a bar chart of pass@k per language")
    bench.add_argument("--quiet", action="store_true", help="no progress bar")
    bench.add_argument("--list-tasks", action="store_true",
                       help="list the benchmark's task ids (of --split) and their "
                       "specifications, for writing a samples file, and exit")
    bench.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from adjax_code.evaluate import evaluation

    if args.list_tasks:
        return _list_tasks(args)
    if sum([args.references, bool(args.samples), bool(args.model)]) != 1:
        raise UserError("give one of --samples FILE, --references or --model DIR")
    _check_paths(args)
    if args.model:
        if max(args.k) > args.candidates:
            raise UserError(f"--k {max(args.k)} needs at least {max(args.k)} samples of "
                            f"every task; pass --candidates {max(args.k)} or more")
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
        evaluation.check_samples(samples, humaneval=not tasks_bench)
        _check_k(args.k, samples)
        score = evaluation.score_task_samples if tasks_bench else evaluation.score_humaneval
        with tqdm(total=len(samples), desc="scoring", unit="prog", disable=args.quiet,
                  file=sys.stderr) as bar:
            results = score(samples, progress=bar)
    except FileNotFoundError as err:
        raise UserError(f"samples file {err.filename} does not exist") from None
    except OSError as err:
        raise UserError(f"cannot read {err.filename}: {err.strerror}") from None
    except (ValueError, KeyError, RuntimeError, TypeError) as err:
        text = err.args[0] if isinstance(err, KeyError) and err.args else err
        raise UserError(str(text)) from None
    table = evaluation.summarize(results, ks=args.k)
    text = evaluation.format_table(table)
    if args.samples:
        text += "\n" + _coverage(args, table, samples)
    if args.plot:
        evaluation.plot_table(table, args.plot, title=f"{args.benchmark}: pass@k by language")
    return _report(args, table, text, results)


def _benchmark_ids(args: argparse.Namespace) -> list[str]:
    from adjax_code import tasks
    from adjax_code.evaluate import evaluation

    if args.benchmark == "humaneval":
        return list(evaluation.humaneval_problems())
    return [t.id for t in tasks.load(args.split or "all")]


def _coverage(args: argparse.Namespace, table: dict, samples: list[dict]) -> str:
    """How much of the benchmark the samples cover (pass@k averages over the tasks present);
    also added to the table's ``overall`` entry as ``benchmark_tasks``."""
    known = _benchmark_ids(args)
    present = {r["task_id"] for r in samples} & set(known)
    table["overall"]["benchmark_tasks"] = len(known)
    where = args.benchmark if args.benchmark == "humaneval" else \
        f"the task suite ({args.split or 'all'})"
    line = f"coverage: {len(present)} of the {len(known)} tasks of {where}"
    if len(present) < len(known):
        line += "; pass@k is the mean over the tasks present"
    return line


def _list_tasks(args: argparse.Namespace) -> int:
    """``--list-tasks``: one line per task: its id, split and specification (JSON with
    ``--json``)."""
    import json

    from adjax_code import tasks
    from adjax_code.evaluate import evaluation

    if args.benchmark == "humaneval":
        try:
            problems = evaluation.humaneval_problems()
        except RuntimeError as err:
            raise UserError(str(err)) from None
        rows = [{"task_id": k, "entry_point": p["entry_point"]} for k, p in problems.items()]
    else:
        rows = [{"task_id": t.id, "split": t.split, "function": t.name, "spec": t.specs[0]}
                for t in tasks.load(args.split or "all")]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            print("\t".join(str(v) for v in r.values()))
    return 0


def _check_paths(args: argparse.Namespace) -> None:
    """Every path the command reads or writes, checked before any work is done."""
    from pathlib import Path

    if args.samples:
        samples = Path(args.samples)
        if samples.is_dir():
            raise UserError(f"--samples {samples} is a directory, not a JSONL file")
        if not samples.is_file():
            raise UserError(f"samples file {samples} does not exist")
    for flag, value in (("--out", args.out), ("--plot", args.plot)):
        if not value:
            continue
        path = Path(value)
        if path.is_dir():
            raise UserError(f"{flag} {path} is a directory; give a file name")
        if flag == "--plot" and path.suffix.lower() != ".png":
            raise UserError(f"--plot {path}: the chart is a PNG; give a name ending in .png")
        parent = path.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            raise UserError(f"{flag} {path}: {parent} is not a directory")


def _report(args: argparse.Namespace, table: dict, text: str, rows: list[dict]) -> int:
    """The end of every ``adjax eval``: rows to ``--out``, the table as JSON or text."""
    import json

    from adjax_code.evaluate import evaluation

    if args.out:
        evaluation.write_jsonl(args.out, rows)
    print(json.dumps(table, indent=2) if args.json else text)
    return 0


def _check_k(ks: list[int], samples: list) -> None:
    """pass@k needs k samples of a task: a larger k is refused before any scoring."""
    import collections

    counts = collections.Counter((r.get("language", "python"), r.get("task_id"))
                                 for r in samples if isinstance(r, dict))
    if not counts:
        return
    (lang, task), n = min(counts.items(), key=lambda kv: kv[1])
    if max(ks) > n:
        raise UserError(f"--k {max(ks)} needs at least {max(ks)} samples of every task; "
                        f"{task} ({lang}) has {n}")


def _eval_model(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from adjax_code import tasks
    from adjax_code.evaluate import model_eval

    if args.benchmark == "humaneval":
        return _eval_model_humaneval(args)
    split = args.split or "heldout"
    langs = args.languages or list(tasks.LANGS)
    gen = load_generator(args.model, cycle=args.cycle)
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

    gen = load_generator(args.model, cycle=args.cycle)
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
