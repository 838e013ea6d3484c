"""The compact token set: exact round trips, packing with end and pad, batches per seed."""

import json

import numpy as np
import pytest

from adjax import tokendata

META = {"vocab_size": 50, "pad_id": 0, "mask_id": 1, "eos_id": 2}


def _write(path, targets, conds, **kw):
    n = len(targets)
    return tokendata.write(path, targets=targets, conds=conds, language=kw.get("language",
                           [0] * n), source=[0] * n, split=kw.get("split", [0] * n),
                           focus=kw.get("focus", [False] * n), meta={**META, "extra": 7})


def test_rows_round_trip_exactly(tmp_path):
    targets = [[5, 6, 7], [9], list(range(3, 40))]
    conds = [[10, 11], [12, 13, 14], [15]]
    meta = _write(tmp_path, targets, conds, split=[0, 1, 0], focus=[True, False, False],
                  language=[0, 3, 4])
    assert meta["rows"] == 3 and meta["heldout_rows"] == 1 and meta["extra"] == 7
    assert meta["target_tokens"] == 41 and meta["cond_tokens"] == 6
    ts = tokendata.load(tmp_path)
    assert ts.target_tokens.dtype == np.uint16 and len(ts) == 3
    for i in range(3):
        assert ts.target(i).tolist() == targets[i]
        assert ts.cond(i).tolist() == conds[i]
    assert ts.language.tolist() == [0, 3, 4]
    assert ts.rows(split=tokendata.HELDOUT).tolist() == [1]
    assert ts.rows(split=tokendata.TRAIN, focus=True).tolist() == [0]
    assert json.loads((tmp_path / tokendata.META).read_text())["bytes"] > 0


def test_pack_puts_end_then_pad_in_the_smallest_bucket_and_drops_the_too_long(tmp_path):
    _write(tmp_path, [[5, 6, 7], [8] * 7, [9] * 8, [4] * 20], [[10, 11, 12, 13], [12], [13],
                                                               [14]])
    ts = tokendata.load(tmp_path)
    buckets, dropped = tokendata.pack(ts, np.arange(4), buckets=(8, 4), cond_len=3)
    assert dropped == 2  # 8 tokens + end do not fit 8; 20 neither
    assert buckets[4].tokens.tolist() == [[5, 6, 7, 2]]
    assert buckets[8].tokens.tolist() == [[8] * 7 + [2]]
    assert buckets[4].cond.tolist() == [[10, 11, 12]]  # cut to cond_len
    assert buckets[8].cond.tolist() == [[12, 0, 0]]
    assert buckets[8].cond_mask.tolist() == [[True, False, False]]


def test_batches_are_a_function_of_seed_and_step(tmp_path):
    rng = np.random.default_rng(0)
    targets = [rng.integers(3, 50, rng.integers(1, 30)).tolist() for _ in range(40)]
    _write(tmp_path, targets, [[7]] * 40, focus=[i < 5 for i in range(40)])
    ts = tokendata.load(tmp_path)
    buckets, _ = tokendata.pack(ts, np.arange(40), buckets=(16, 32), cond_len=2)
    focus, _ = tokendata.pack(ts, ts.rows(focus=True), buckets=(16, 32), cond_len=2)
    a = tokendata.batch(buckets, 64, seed=1, step=3)
    b = tokendata.batch(buckets, 64, seed=1, step=3)
    assert np.array_equal(a["tokens"], b["tokens"])
    assert a["tokens"].shape[0] * a["tokens"].shape[1] == 64
    focus_rows = {tuple(r) for bk in focus.values() for r in bk.tokens}
    for step in range(10):
        only = tokendata.batch(buckets, 64, seed=1, step=step, focus=focus, focus_share=1.0)
        assert all(tuple(r) in focus_rows for r in only["tokens"])


def test_bad_inputs_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="token ids must lie"):
        _write(tmp_path, [[60]], [[1]])
    with pytest.raises(ValueError, match="meta lacks"):
        tokendata.write(tmp_path, targets=[], conds=[], language=[], source=[], split=[],
                        focus=[], meta={"vocab_size": 5})
    with pytest.raises(ValueError, match="uint16"):
        tokendata.write(tmp_path, targets=[], conds=[], language=[], source=[], split=[],
                        focus=[], meta={**META, "vocab_size": 70_000})
    with pytest.raises(ValueError, match="differ in length"):
        tokendata.write(tmp_path, targets=[[3]], conds=[], language=[0], source=[0],
                        split=[0], focus=[False], meta=META)
    with pytest.raises(FileNotFoundError, match="adjax data export"):
        tokendata.load(tmp_path / "nothing")
    _write(tmp_path, [[3]], [[4]])
    np.savez(tmp_path / tokendata.ARRAYS, target_tokens=np.zeros(1, np.uint16))
    with pytest.raises(ValueError, match="lacks arrays"):
        tokendata.load(tmp_path)
