"""Specification -> code: encode the spec once, sample with the jitted masked sampler, cut
at EOS, repair syntax by remasking tree-sitter error spans, rerank candidates by reward.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from adjax import exported, sharding
from adjax.config import (
    SamplerConfig,
)
from adjax.masked import mask_logits
from adjax_code.judge import rewards
from adjax_code.lang import languages, syntax
from adjax_code.lang.tokenizer import CodeTokenizer
from adjax_code.model import model_store
from adjax_code.model.configs import RunConfig
from adjax_code.model.network import Network


@dataclasses.dataclass
class Candidate:
    code: str
    scores: dict
    repair_rounds: int
    draft: str = ""  # the code before syntax repair
    index: int = 0  # the candidate's row among the request's samples (before sorting)
    row: np.ndarray | None = dataclasses.field(default=None, repr=False)  # raw tokens

    def to_json(self) -> dict:
        return {"code": self.code, "scores": self.scores, "repair_rounds": self.repair_rounds,
                "draft": self.draft}


@dataclasses.dataclass
class Generation:
    candidates: list[Candidate]
    timings: dict

    @property
    def best(self) -> Candidate:
        return max(self.candidates, key=lambda c: c.scores["overall"])


@dataclasses.dataclass(frozen=True)
class Request:
    """One specification to write code for.

    Attributes:
      spec: the specification text.
      language: a registered language name.
      prefix: code every candidate must start with (its tokens are clamped; trailing
        whitespace is left to the model, see ``Generator.start_rows``). Empty: the
        language's ``opening`` (``def``, ``func``, ...).
      tests: test code in the language; adds the functional reward to the scores.
      init: starting tokens [samples, length]: any non-[MASK] token is kept exactly (fixed
        spans anywhere); overrides ``prefix``.
    """

    spec: str
    language: str
    prefix: str = ""
    tests: str | None = None
    init: np.ndarray | None = None


# No end token within this many tokens after a row's last fixed token. Small: a signature
# given as the prefix may need only a few body tokens ("\n    return a + b" is 5), and a
# larger floor forced the model to write past the program's end.
MIN_TOKENS = 2
# Denoising steps of a repair round: it fills only the few tokens of the error spans, so
# the draft's full step count is not needed.
REPAIR_STEPS = 8


@functools.partial(jax.jit, static_argnames=("model", "mask_id", "end_ids"))
def _end_probability(params, tokens, cond, cond_mask, *, model, mask_id, end_ids):
    """P(token in ``end_ids``) per position [B, L] from one forward pass on ``tokens``."""
    context = model.encode(params, cond, cond_mask)
    level = jnp.ones(tokens.shape[0])  # the sampler's first step: every mask still open
    logits = model.denoise(params, tokens, level, context).astype(jnp.float32)
    probs = jax.nn.softmax(mask_logits(logits, mask_id), axis=-1)
    return probs[..., jnp.asarray(end_ids)].sum(axis=-1)


def load_tokenizer(path: Path, manifest: dict):
    """A packaged model's tokenizer: adjax's own, or an imported checkpoint's."""
    info = manifest.get("tokenizer")
    if isinstance(info, dict) and info.get("kind") == "pretrained":
        from adjax_code.model.hf_tokenizer import PretrainedTokenizer

        return PretrainedTokenizer.load(path / model_store.TOKENIZER, info)
    return CodeTokenizer.load(path / model_store.TOKENIZER)


def available_memory() -> int | None:
    """Bytes the default device can still allocate: the accelerator's own figure, else the
    host's MemAvailable; None where neither is known."""
    try:
        stats = jax.devices()[0].memory_stats() or {}
    except Exception:  # backends without memory stats raise
        stats = {}
    if "bytes_limit" in stats:
        return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


# Sampler calls run at a power of two rows, at least this many (or the whole batch when it
# is smaller): a small request's repair then reuses its draft's compiled program.
MIN_ROWS = 8


def _bucket(rows: int, total: int) -> int:
    """The rows a sampler call over ``rows`` of a ``total``-row batch runs at."""
    def pow2(n: int) -> int:
        return 1 << max(n - 1, 0).bit_length()

    return max(pow2(rows), min(pow2(total), MIN_ROWS))


def _fixed_extent(rows: np.ndarray, mask: int) -> np.ndarray:
    """Per row [R]: one past its last fixed (non-[MASK]) position, 0 when none is."""
    fixed = rows != mask
    return np.where(fixed.any(axis=1), rows.shape[1] - np.argmax(fixed[:, ::-1], axis=1), 0)


@dataclasses.dataclass
class _Batch:
    """What every sampler call of one ``generate_many`` shares."""

    start: np.ndarray  # [R, L] starting rows (R = requests x samples)
    fixed: np.ndarray  # [R, L] positions given, never changed
    cond: np.ndarray
    cond_mask: np.ndarray
    uncond: np.ndarray | None
    allowed: np.ndarray  # [V] bool: ids the sampler may place
    min_length: np.ndarray
    cfg: SamplerConfig
    repair_cfg: SamplerConfig
    seed: int  # a call's key: key(seed), folded with the call's number (``network.sample_key``)
    samples: int
    languages: list[str]
    passes: dict = dataclasses.field(default_factory=lambda: {"draft": 0, "repair": 0})
    plan: list[int] = dataclasses.field(default_factory=list)  # the draft's lengths
    # [R, 3] (seed, row id hash, sample index): a key per row (``network.row_keys``) in
    # place of ``seed``'s one key per call; None: ``seed``.
    row_seeds: np.ndarray | None = None


class Generator:
    """Holds a loaded model; every call is a pure function of its requests and seed."""

    def __init__(self, model, params, tokenizer: CodeTokenizer, cfg: RunConfig,
                 manifest: dict | None = None):
        self.tok, self.cfg = tokenizer, cfg
        self.manifest = manifest or {}
        self.net = model if isinstance(model, Network) else Network(model, params)
        self.reward_weights: dict[str, float] | None = None  # None: rewards' defaults
        # Running totals, for profiling: useful tokens (code the sampler wrote before each
        # row's end), masked slots it filled (padding included), network evaluations.
        # ``positions``: rows x length x forward passes, the work the network did.
        self.stats = {"tokens": 0, "slots": 0, "forward_passes": 0, "sampler_calls": 0,
                      "rows": 0, "positions": 0}
        # The distinct sampler call shapes and settings run so far: the programs compiled.
        self.programs: set[tuple] = set()

    @classmethod
    def load(cls, path: str | Path, mesh=None,
             store: exported.ProgramStore | None = None) -> Generator:
        """Loads a packaged model (manifest.json, verified) or a training run directory
        (tokenizer.json + checkpoints/). With a ``jax.sharding.Mesh`` (axes "data" and
        "model", see ``adjax.sharding.make_mesh``) the weights are placed on it as they are
        read: tensor parallel over "model", replicated over "data".

        ``store``: an ``adjax.exported.ProgramStore`` whose exported sampler programs a
        packaged model's calls run (and fill); None: the jitted sampler runs (the shell
        passes ``adjax_code.model.runtime.program_store()``)."""
        path = Path(path)
        if model_store.is_packaged(path):
            manifest = model_store.verify(path)
            cfg = RunConfig.from_dict(manifest["config"])
            return cls(Network.packaged(path, cfg, manifest, mesh, store=store), None,
                       load_tokenizer(path, manifest), cfg, manifest)
        if not (path / "checkpoints").is_dir():
            raise FileNotFoundError(f"{path} is neither a packaged model (manifest.json) nor "
                                    "a training run (checkpoints/)")
        from flax import nnx

        from adjax import checkpoint, train  # orbax: imported only for training runs
        from adjax.nets import Transformer
        from adjax.nets.functional import split

        tok = CodeTokenizer.load(path / "tokenizer.json")
        try:
            with checkpoint.Checkpointer(path / "checkpoints") as ckpt:
                cfg = RunConfig.from_dict(ckpt.read_meta()["config"])
                model, params = split(Transformer(cfg.net, rngs=nnx.Rngs(0)))
                opt = train.make_optimizer(cfg.optim)
                template = train.init_state(params, opt, jax.random.key(0),
                                            ema=cfg.optim.ema_decay is not None)
                shardings = None
                if mesh is not None:
                    shardings = sharding.tree_shardings(template, mesh, "tp")
                state, _ = ckpt.restore(template, shardings=shardings)
        except FileNotFoundError:
            raise
        except Exception as err:  # orbax raises many kinds on a damaged checkpoint
            raise model_store.ModelError(
                f"cannot read the checkpoint in {path / 'checkpoints'} ({type(err).__name__}: "
                f"{str(err)[:200]}); it is damaged or incomplete") from None
        params = state.ema_params if state.ema_params is not None else state.params
        return cls(model, params, tok, cfg)

    @property
    def model(self):
        """The network's functions (``adjax.nets.functional.ModelFns``)."""
        return self.net.model

    @model.setter
    def model(self, value) -> None:
        # A new Network (a copy of this generator keeps the old one); no stored programs:
        # the package's weights now meet another network.
        self.net = Network(value, self.net.params)

    @property
    def params(self):
        """The network's parameters (a pytree)."""
        return self.net.params

    @params.setter
    def params(self, value) -> None:
        self.net = Network(self.net.model, value)  # stored programs serve only the package's

    @property
    def default_length(self) -> int:
        """Output tokens when not given: 128 (most functions fit), or the largest bucket the
        model was trained with when that is smaller."""
        return min(128, max(self.cfg.data.buckets))

    def spec_tokens(self, spec: str) -> tuple[int, int]:
        """(tokens in ``spec``, tokens the model reads of it: the condition length less
        the language tag or prompt template). A longer specification is cut to its start."""
        overhead = len(self.tok.condition_ids("", "python", 1 << 30))
        return len(self.tok.encode(spec)), self.cfg.data.cond_len - overhead

    def memory_estimate(self, rows: int, length: int) -> int:
        """Bytes a sampler call over ``rows`` x ``length`` tokens needs, roughly: logits and
        their softmax in float32, attention scores per layer, activations, parameters."""
        net = self.cfg.net
        logits = 3 * rows * length * net.outputs * 4
        attention = 2 * rows * net.n_heads * length * length * 4
        activations = 16 * rows * length * net.d_model * 4 * net.n_layers
        return logits + attention + activations + self.net.param_bytes()

    def check_memory(self, rows: int, length: int) -> None:
        """Raises ValueError, before any work, when a call cannot fit in memory."""
        need, have = self.memory_estimate(rows, length), available_memory()
        if have is not None and need > have:
            raise ValueError(f"{rows} candidate rows of {length} tokens need about "
                             f"{need / 2**30:.1f} GiB; {have / 2**30:.1f} GiB is available: "
                             "lower the number of candidates or the length")

    def condition_row(self, spec: str, language: str) -> list[int]:
        """The condition tokens of a request, padded to the model's condition length: for
        adjax's own models the language tag and the specification, for an imported one the
        prompt (its chat template around the specification)."""
        length = self.cfg.data.cond_len
        ids = self.tok.condition_ids(spec, language, length)
        pad = [self.tok.pad_id] * (length - len(ids))
        # A decoder-only network reads the prompt just before the code: padding goes first.
        return pad + ids if self.cfg.net.conditioning == "prefix" else ids + pad

    def _decode(self, row: np.ndarray) -> tuple[str, list[int]]:
        """(code, the row's token ids up to its EOS) of one output row. The ids keep any PAD
        or [MASK] inside the program (they decode to nothing), so position i of the ids is
        position i of the row."""
        ids = [int(t) for t in row]
        if self.tok.eos_id in ids:
            ids = ids[:ids.index(self.tok.eos_id)]
        return self.tok.decode(ids), ids

    def before_end(self, rows: np.ndarray) -> np.ndarray:
        """[B, L] bool: the positions of each row before its first end token (EOS or PAD):
        the program."""
        ended = np.isin(rows, (self.tok.eos_id, self.tok.pad_id))
        return np.cumsum(ended, axis=-1) == 0

    def _tidy(self, code: str, language: str) -> str:
        tidy = languages.get(language).tidy
        return tidy(code) if tidy else code

    def generate(self, spec: str, language: str, *, samples: int = 4, seed: int = 0,
                 steps: int | None = None, length: int | None = None, prefix: str = "",
                 repair_rounds: int = 2, tests: str | None = None,
                 init: np.ndarray | None = None, sampler: SamplerConfig | None = None,
                 predict_length: bool = False, grow: bool = False) -> Generation:
        """Candidates for ``spec``, best first by overall reward.

        Args:
          samples: candidates sampled in parallel.
          seed: the same seed and inputs give the same candidates.
          steps: denoising steps (default: the model's sampler config).
          length: output tokens (default ``default_length``).
          prefix: code the output must start with; its tokens are clamped (trailing
            whitespace excepted: the model writes it, so token boundaries stay natural).
          repair_rounds: rounds of remasking tree-sitter error spans and resampling.
          tests: test code in the language, to add the functional reward.
          init: starting tokens [samples, length]; non-[MASK] tokens are kept.
          sampler: a sampler config replacing the model's.
          predict_length: fix each candidate's length from the model before denoising
            (see ``_place_end``). Off by default: with the shipped model it made programs
            too long (syntax-valid 0% vs 27% without, on 16 train tasks x 5 languages).
          grow: draft at the shortest length bucket first (see ``generate_many``).
        """
        req = Request(spec, language, prefix, tests, init)
        return self.generate_many([req], samples=samples, seed=seed, steps=steps,
                                  length=length, repair_rounds=repair_rounds,
                                  sampler=sampler, predict_length=predict_length,
                                  grow=grow)[0]

    def log_likelihood(self, spec: str, code: str, language: str, *, draws: int = 256,
                       seed: int = 0):
        """The ELBO of ``code`` given ``spec`` (nats, <= log p), with its Monte Carlo error:
        a ``likelihood.Likelihood`` (see ``adjax_code.generate.likelihood``)."""
        from adjax_code.generate import likelihood

        return likelihood.log_likelihood(self, spec, code, language, draws=draws, seed=seed)

    def logits(self, tokens: np.ndarray, spec: str | None = None, language: str = "python",
               mask_rate: float = 1.0) -> np.ndarray:
        """The network's logits [B, L, V] for token rows (see ``likelihood.logits``)."""
        from adjax_code.generate import likelihood

        return likelihood.logits(self, tokens, spec, language, mask_rate)

    def start_rows(self, req: Request, samples: int, length: int) -> np.ndarray:
        """The starting rows [samples, length] of a request: its ``init``, or the prefix
        (the language's opening when none) clamped at the start and [MASK] after it."""
        mask = self.cfg.diffusion.mask_id
        if req.init is not None:
            init = np.asarray(req.init, np.int32)
            if init.shape != (samples, length):
                raise ValueError(f"init has shape {init.shape}; expected {(samples, length)}")
            return init
        rows = np.full((samples, length), mask, np.int32)
        # Token healing: trailing whitespace is left to the model. A prefix cut after a
        # newline would end on a token ("\n") that the tokenizer merges with the following
        # indentation in real code ("\n   "), a boundary the model never saw in training.
        prefix = (req.prefix or languages.get(req.language).opening).rstrip()
        prefix_ids = self.tok.encode(prefix) if prefix else []
        if len(prefix_ids) >= length:
            raise ValueError(f"the prefix takes {len(prefix_ids)} tokens; the output holds "
                             f"{length}")
        rows[:, :len(prefix_ids)] = prefix_ids
        return rows

    def _place_end(self, start: np.ndarray, cond, cond_mask, samples: int) -> np.ndarray:
        """Fixes each row's length before denoising.

        One forward pass on the starting rows gives, per position, the probability that it
        lies past the end (EOS or PAD); its running maximum is read as P(length <= i). Row j
        of a request's ``samples`` takes the length at quantile (j + 1/2) / samples — the
        median for one sample, a spread of plausible lengths for several — but never ends
        before its last fixed token. EOS goes at that length and PAD after it; denoising then
        fills the positions before it with code only. Without this, confidence decoding
        commits the easy PAD tokens first and stops with an empty program.
        """
        mask = self.cfg.diffusion.mask_id
        p_end = np.asarray(_end_probability(self.params, jnp.asarray(start), cond, cond_mask,
                                            model=self.model, mask_id=mask,
                                            end_ids=(self.tok.eos_id, self.tok.pad_id)))
        cdf = np.maximum.accumulate(p_end, axis=1)
        rows = start.copy()
        length = start.shape[1]
        for i in range(len(rows)):
            q = ((i % samples) + 0.5) / samples
            n = int((cdf[i] < q).sum())
            fixed = np.nonzero(rows[i] != mask)[0]
            n = max(n, (fixed[-1] + 2) if len(fixed) else 1, 1)
            if n < length:
                rows[i, n:][rows[i, n:] == mask] = self.tok.pad_id
                if rows[i, n] == self.tok.pad_id:
                    rows[i, n] = self.tok.eos_id
        return rows

    def generate_many(self, requests: list[Request], *, samples: int = 4, seed: int = 0,
                      steps: int | None = None, length: int | None = None,
                      repair_rounds: int = 2, sampler: SamplerConfig | None = None,
                      predict_length: bool = False,
                      allowed: tuple[int, ...] | None = None,
                      repair_steps: int | None = None,
                      grow: bool = False,
                      row_keys: list[tuple[int, int]] | None = None) -> list[Generation]:
        """``generate`` for several requests in one batch of ``len(requests) * samples``
        rows (one sampler call per repair round for all of them). ``allowed``: the only
        token ids any masked position may take (constrained infilling; EOS/PAD excepted
        only where fixed). ``repair_steps``: denoising steps of each repair round (default
        ``REPAIR_STEPS``, at most the draft's; with blocks, the draft's). ``grow``: draft
        at the smallest of the model's length buckets that holds the prefix, and give only
        the rows that did not end there the next bucket, up to ``length`` (see
        ``length_plan``). ``row_keys``: per request (seed, row id hash); each sample then
        draws from its own key (``network.row_keys``), ``seed`` unused, and its tokens do
        not depend on the other requests (``adjax_code.generate.batch.generate_batch``)."""
        if repair_rounds < 0:
            raise ValueError(f"repair_rounds must be >= 0, got {repair_rounds}")
        batch = self._prepare(requests, samples, length or self.default_length,
                              sampler or self.cfg.sampler, steps, repair_steps, allowed,
                              predict_length, seed)
        if row_keys is not None:
            batch.row_seeds = np.asarray([(s, h, i) for s, h in row_keys
                                          for i in range(samples)], np.int32)
        grows = grow and not predict_length and all(r.init is None for r in requests)
        batch.plan = self.length_plan(batch.start) if grows else [batch.start.shape[1]]
        t0 = time.perf_counter()
        out = self._draft(batch)
        t_sample = time.perf_counter() - t0
        drafts = [self._tidy(self._decode(row)[0], lang)
                  for row, lang in zip(out, batch.languages, strict=True)]
        t0 = time.perf_counter()
        out, rounds = self._repair(batch, out, repair_rounds)
        timings = {"sample_s": t_sample, "repair_s": time.perf_counter() - t0}
        return [self._result(batch, j, req, out, drafts, rounds, timings)
                for j, req in enumerate(requests)]

    def _prepare(self, requests, samples, length, scfg, steps, repair_steps, allowed,
                 predict_length, seed) -> _Batch:
        """Checks the requests and builds the batch: starting rows, conditions, the tokens
        no masked position may take, the shortest output, the draft and repair samplers."""
        if samples <= 0:
            raise ValueError(f"samples must be positive, got {samples}")
        for req in requests:
            if not req.spec.strip():
                raise ValueError("the specification is empty")
            languages.get(req.language)
        if length < 2:
            raise ValueError(f"the output length must be at least 2 tokens, got {length}")
        self.check_memory(len(requests) * samples, length)
        if steps:
            scfg = dataclasses.replace(scfg, num_steps=steps)
        mask = self.cfg.diffusion.mask_id
        start = np.concatenate([self.start_rows(r, samples, length) for r in requests])
        # Host arrays: a sampler call takes them as they are (no eager device op to compile).
        cond = np.asarray([self.condition_row(r.spec, r.language)
                           for r in requests for _ in range(samples)], np.int32)
        cond_mask = cond != self.tok.pad_id
        # Guidance contrasts the spec with a language-only condition.
        uncond = np.where(np.arange(cond.shape[1]) == 0, cond, self.tok.pad_id) \
            if scfg.guidance_scale > 0 else None
        # Embedding rows past the tokenizer's last token (checkpoints pad their vocabulary
        # to a round size) are never text.
        # An array over the vocabulary, an argument of the one compiled sampler: any
        # constrained vocabulary reuses it.
        vocab = np.zeros(self.cfg.net.vocab_size, bool)
        vocab[:self.tok.vocab_size] = True
        if allowed is not None:
            ids = np.asarray(sorted(set(allowed)), np.int64)
            vocab = np.zeros_like(vocab)
            vocab[ids[(ids >= 0) & (ids < vocab.size)]] = True
        # The shortest useful program: no end token within MIN_TOKENS after a row's last
        # fixed token (a small model otherwise may end at once).
        min_length = np.minimum(length - 1, _fixed_extent(start, mask) + MIN_TOKENS
                                ).astype(np.int32)
        if predict_length:
            start = self._place_end(start, cond, cond_mask, samples)
            vocab[[self.tok.pad_id, self.tok.eos_id]] = False
        repair_cfg = scfg
        if scfg.block_size is None:
            repair_cfg = dataclasses.replace(
                scfg, num_steps=min(repair_steps or REPAIR_STEPS, scfg.num_steps))
        return _Batch(start=start, fixed=start != mask, cond=cond, cond_mask=cond_mask,
                      uncond=uncond, allowed=vocab, min_length=min_length, cfg=scfg,
                      repair_cfg=repair_cfg, seed=seed, samples=samples,
                      languages=[r.language for r in requests for _ in range(samples)])

    def length_plan(self, start: np.ndarray) -> list[int]:
        """The lengths a growing draft moves through: the model's training buckets shorter
        than the batch's length that leave room for the longest fixed prefix and
        ``MIN_TOKENS`` more, then the batch's length."""
        length = start.shape[1]
        fixed = int(_fixed_extent(start, self.cfg.diffusion.mask_id).max())
        return sorted(b for b in set(self.cfg.data.buckets)
                      if fixed + MIN_TOKENS < b < length) + [length]

    def _draft(self, batch: _Batch) -> np.ndarray:
        """Samples every row at the plan's first length; rows with no end token there get
        the next length, their tokens kept, with the step count scaled to the new
        positions. Positions past the length a row was sampled at become PAD."""
        ends = (self.tok.eos_id, self.tok.pad_id)
        out = self._sample(batch, batch.start, None, batch.cfg, "draft",
                           length=batch.plan[0])
        for short, longer in itertools.pairwise(batch.plan):
            open_rows = np.nonzero(~np.isin(out[:, :short], ends).any(axis=1))[0]
            if not len(open_rows):
                break
            steps = max(1, round(batch.cfg.num_steps * (longer - short) / longer))
            out = self._sample(batch, out, longer, batch.cfg,
                               "draft", rows=open_rows, length=longer, steps=steps)
        out[out == self.cfg.diffusion.mask_id] = self.tok.pad_id  # never sampled
        return out

    def _sample(self, batch: _Batch, tokens: np.ndarray, fold: int | None,
                cfg: SamplerConfig, phase: str, rows: np.ndarray | None = None,
                length: int | None = None, steps: int | None = None) -> np.ndarray:
        """One sampler call over the batch's ``rows`` (all by default) and their first
        ``length`` positions (all by default), ``steps`` steps (default ``cfg``'s), with the
        key ``network.sample_key(batch.seed, fold)``; counts forward passes and useful tokens.

        Draft and repair share one compiled program: the step count is an array argument
        and the sampler's config is the draft's. The rows are padded (repeating the first)
        to a power of two of at least ``MIN_ROWS`` (``_bucket``), so a repair of any
        number of failing rows compiles few programs over a run."""
        mask = self.cfg.diffusion.mask_id
        rows = np.arange(len(tokens)) if rows is None else np.asarray(rows)
        length = length or tokens.shape[1]
        whole, tokens = tokens, tokens[:, :length]  # the positions this call samples
        size = _bucket(len(rows), len(tokens))
        pick = np.concatenate([rows, np.full(size - len(rows), rows[0])])

        def take(x):
            return None if x is None else x[pick]

        rows_in = {"tokens": tokens[pick], "cond": take(batch.cond),
                   "cond_mask": take(batch.cond_mask), "uncond": take(batch.uncond),
                   "min_length": take(batch.min_length),
                   **({} if batch.row_seeds is None else {"row_seeds": take(batch.row_seeds)}),
                   "uncond_mask": None if batch.uncond is None else
                   take(batch.uncond != self.tok.pad_id)}
        seeds = np.asarray([batch.seed, -1 if fold is None else fold], np.int32)
        statics = self._statics(batch)
        out, evals = self.net.sample(statics, seeds, rows_in, batch.allowed,
                                     np.int32(steps or cfg.num_steps))
        self.programs.add((size, length, repr(statics)))
        full = whole.copy()
        full[rows, :length] = np.asarray(out)[:len(rows)]
        batch.passes[phase] += int(evals)
        self.stats["forward_passes"] += int(evals)
        self.stats["tokens"] += int(((tokens == mask) &
                                     self.before_end(full[:, :length])).sum())
        self.stats["slots"] += int((tokens == mask).sum())
        self.stats["sampler_calls"] += 1
        self.stats["rows"] += len(pick)  # rows the network ran on, bucket padding included
        self.stats["positions"] += len(pick) * length * int(evals)
        return full

    def _statics(self, batch: _Batch) -> dict:
        """The sampler's static arguments for ``batch``."""
        return dict(cfg=batch.cfg, mask_id=self.cfg.diffusion.mask_id,
                    stop_id=self.tok.eos_id, end_ids=(self.tok.eos_id, self.tok.pad_id),
                    fill_id=self.tok.pad_id, count=True)

    def _repair(self, batch: _Batch, out: np.ndarray, rounds: int
                ) -> tuple[np.ndarray, np.ndarray]:
        """Rounds of remasking tree-sitter error spans and resampling only those, in only
        the rows that fail; returns the rows and how many rounds touched each."""
        touched = np.zeros(len(out), int)
        for r in range(rounds):
            remask = out.copy()
            failing = []
            for i, row in enumerate(out):
                hit = self.error_positions(row, batch.languages[i], batch.fixed[i])
                if hit:
                    remask[i, hit] = self.cfg.diffusion.mask_id
                    touched[i] += 1
                    failing.append(i)
            if not failing:
                break
            for length, rows in self._repair_groups(batch, out, remask, failing):
                remask = self._sample(batch, remask, r + 1, batch.repair_cfg, "repair",
                                      rows=np.asarray(rows), length=length)
            out = remask
        return out, touched

    def _repair_groups(self, batch: _Batch, out: np.ndarray, remask: np.ndarray,
                       failing: list[int]) -> list[tuple[int, list[int]]]:
        """(length, rows) of a repair round's sampler calls: the shortest length of the plan
        that holds every failing row's program and the positions remasked. One call for all
        rows; with a key per row, one call per length, so no row's length depends on the
        others."""
        def reach(i: int) -> int:
            return max(int(np.nonzero(remask[i] == self.cfg.diffusion.mask_id)[0][-1]),
                       int(self.before_end(out[i:i + 1]).sum())) + 1

        def fit(n: int) -> int:
            # (A row with no end reaches past its length: the plan's last length, the row's.)
            return min(b for b in batch.plan if b >= min(n, out.shape[1]))

        if batch.row_seeds is None:
            return [(fit(max(reach(i) for i in failing)), failing)]
        groups: dict[int, list[int]] = {}
        for i in failing:
            groups.setdefault(fit(reach(i)), []).append(i)
        return sorted(groups.items())

    def error_positions(self, row: np.ndarray, language: str, fixed: np.ndarray,
                        reach: int = 8) -> list[int]:
        """Token positions of ``row`` to remask for its syntax errors: each error span (one
        token of margin), never a fixed position. A span that reaches the program's end also
        opens the end token and up to ``reach`` positions after it, so repair can lengthen
        the program (or end it sooner)."""
        code, ids = self._decode(row)
        spans = syntax.error_spans(code, language)
        if not spans:
            return []
        # Spans map onto the tokens that carry text; their row positions are kept, so a PAD
        # or [MASK] inside the program shifts nothing.
        where = [i for i, t in enumerate(ids) if t not in (self.tok.pad_id,
                                                            self.cfg.diffusion.mask_id)]
        kept = [ids[i] for i in where]
        hit = {where[h] for h in syntax.spans_to_tokens(spans, self.tok.byte_offsets(kept),
                                                        margin=1)}
        end = len(ids)  # the row's end token, or the row's length
        if hit and max(hit) >= end - 2 and end < len(row):
            hit |= set(range(end, min(len(row), end + 1 + reach)))
        return sorted(h for h in hit if not fixed[h])

    def _result(self, batch: _Batch, j: int, req: Request, out: np.ndarray,
                drafts: list[str], rounds: np.ndarray, timings: dict) -> Generation:
        """Request ``j``'s candidates, scored by reward and sorted, with its timings."""
        n = batch.samples
        rows = range(j * n, (j + 1) * n)
        codes = [self._tidy(self._decode(out[i])[0], req.language) for i in rows]
        scores = rewards.score(codes, req.language, spec=req.spec, tests=req.tests,
                               weights=self.reward_weights)
        cands = [Candidate(c, s, int(rounds[i]), drafts[i], i - j * n, out[i])
                 for c, s, i in zip(codes, scores, rows, strict=True)]
        cands.sort(key=lambda c: -c.scores["overall"])
        useful = int((~batch.fixed[rows.start:rows.stop] & self.before_end(out[rows])).sum())
        forward = batch.passes["draft"] + batch.passes["repair"]
        seconds = timings["sample_s"] + timings["repair_s"]
        return Generation(cands, {
            **timings, "tokens": useful, "slots": n * out.shape[1], "forward_passes": forward,
            "draft_forward_passes": batch.passes["draft"],
            "tokens_per_forward_pass": useful / n / max(forward, 1),
            "tokens_per_s": useful / max(seconds, 1e-9), "batch_rows": len(out)})
