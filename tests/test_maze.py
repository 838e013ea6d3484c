"""The maze planning domain: environment, offline data, the planner (inpainting, guidance),
the discriminator, a short self-evolution run, and the ``adjax maze`` command."""

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adjax import GaussianConfig, gaussian
from adjax_adapt.planning import data, evolution, execute, figure, maze, planner, training
from adjax_code.app import cli

# What `adjax maze train --horizon 8 --d-model 16 --layers 1` makes (the fixture trains it).
TINY = planner.PlannerConfig(horizon=8, d_model=16, n_layers=1, n_heads=4)


def square_free(walls, pos):
    """Host-side check of ``maze.is_free``'s rule: the agent's square overlaps no wall."""
    lo, hi = np.floor(pos - maze.RADIUS).astype(int), np.floor(pos + maze.RADIUS).astype(int)
    return not walls[lo[0]:hi[0] + 1, lo[1]:hi[1] + 1].any()


# -- environment ------------------------------------------------------------------------------

def test_layouts_are_connected_and_distances_are_grid_steps():
    for name in maze.LAYOUTS:
        lay = data.layout(name)
        cells = maze.free_cells(lay.walls)
        g = cells[0]
        assert (lay.dist[g[0] * maze.GRID + g[1]][~lay.walls] < maze.GRID ** 2).all(), name
    u = data.layout("umaze")
    # U-maze: from the top-left cell (1, 1) round the bend to the bottom-left (3, 1).
    assert u.dist[1 * maze.GRID + 1][3, 1] == 6
    assert u.dist[1 * maze.GRID + 1][2, 1] == maze.GRID ** 2  # a wall
    with pytest.raises(ValueError, match="fits in"):
        maze.walls_of("#" * 13)
    with pytest.raises(ValueError, match="holds"):
        maze.walls_of("#x#")


def test_walls_hold_under_random_actions():
    lay = data.layout("medium")
    rng = np.random.default_rng(0)
    n = 64
    starts = data.random_starts(lay, n, rng)
    walls = jnp.broadcast_to(jnp.asarray(lay.walls), (n, maze.GRID, maze.GRID))
    ps, _ = maze.rollout_random(walls, jnp.asarray(starts), jnp.asarray(starts),
                                jax.random.key(0), steps=60)
    ps = np.asarray(ps).reshape(-1, 2)
    assert all(square_free(lay.walls, p) for p in ps)
    assert np.abs(np.diff(np.asarray(ps).reshape(n, 61, 2), axis=1)).max() <= maze.VMAX + 1e-5


def test_dynamics_free_space_and_walls():
    walls = jnp.asarray(maze.walls_of("umaze"))
    pos = jnp.array([1.5, 1.5])
    # Free space: a move of VMAX * action, the action clipped to [-1, 1].
    np.testing.assert_allclose(maze.step(walls, pos, jnp.array([0.0, 0.6])), [1.5, 2.1],
                               atol=1e-6)
    np.testing.assert_allclose(maze.step(walls, pos, jnp.array([0.0, 5.0])), [1.5, 2.5],
                               atol=1e-6)
    # Into the wall above: no move across it; it stops where the square touches the wall.
    up = maze.step(walls, pos, jnp.array([-1.0, 0.0]))
    assert float(up[0]) >= 1.0 + maze.RADIUS - 1e-6
    # Diagonally into the wall below (row 2 is wall at column 1): slides along columns.
    slid = maze.step(walls, pos, jnp.array([1.0, 1.0]))
    assert float(slid[0]) < 2.0 - maze.RADIUS + 1e-6 and float(slid[1]) > 2.4
    assert bool(maze.is_free(walls, slid))
    assert not bool(maze.is_free(walls, jnp.array([2.5, 1.5])))


def test_reward_is_one_within_the_goal_radius():
    goal = jnp.array([3.5, 3.5])
    r = maze.reward(jnp.array([[3.5, 3.5], [3.5, 3.9], [3.5, 4.1], [1.5, 1.5]]), goal)
    np.testing.assert_array_equal(r, [1.0, 1.0, 0.0, 0.0])


def test_waypoint_expert_reaches_goals_and_random_mostly_does_not():
    tasks = execute.sample_tasks(maze.TRAIN + maze.UNSEEN, 4, np.random.default_rng(1),
                                 heldout_goals=True)
    refs = execute.references(tasks, 48)
    assert refs.expert_success == 1.0
    assert refs.expert > 5 * max(refs.random, 1.0)
    assert refs.score(refs.expert) == pytest.approx(100.0)
    assert refs.score(refs.random) == pytest.approx(0.0)


# -- data -----------------------------------------------------------------------------------

def test_offline_windows_are_feasible_and_avoid_heldout_goals(tmp_path):
    w = data.generate(("umaze", "medium"), 4, 40, 8, seed=0)
    assert w.plans.shape == (2 * 4 * 9, 8, 4) and set(w.layout) == {0, 1}
    gap = execute.consistency(jnp.asarray(w.plans), jnp.asarray(w.walls()))
    # The maze executes its own data (up to a sub-step where a move slid along a wall).
    assert float((gap <= evolution.EvolveConfig().tolerance).mean()) > 0.9
    held = data.goal_cells(data.layout("medium"), heldout=True)
    train = data.goal_cells(data.layout("medium"), heldout=False)
    assert len(held) and len(train) and not set(map(tuple, held)) & set(map(tuple, train))
    w.save(tmp_path / "d.npz")
    back = data.Windows.load(tmp_path / "d.npz")
    np.testing.assert_array_equal(back.plans, w.plans)
    assert back.names == ("umaze", "medium")
    with pytest.raises(ValueError, match="no window"):
        data.generate(("umaze",), 1, 4, 8)


# -- planner ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny planner trained a few steps through the command line: (model, params, its
    offline windows, its directory). Every test below shares its batch shapes (16 plans,
    4 episodes), so each program compiles once."""
    root = tmp_path_factory.mktemp("maze")
    assert cli.main(["maze", "data", "--out", str(root / "d.npz"), "--episodes", "8",
                     "--episode-steps", "40", "--horizon", "8"]) == 0
    assert cli.main(["maze", "train", "--out", str(root / "p"), "--data", str(root / "d.npz"),
                     "--horizon", "8", "--d-model", "16", "--layers", "1", "--train-steps",
                     "60", "--batch-size", "16", "--learning-rate", "1e-2", "--quiet"]) == 0
    cfg, model, params = training.load(root / "p")
    assert cfg == TINY
    return model, params, data.Windows.load(root / "p" / "data.npz"), root / "p"


def _tasks(n=16, max_dist=3, seed=0):
    return execute.sample_tasks(("umaze", "medium"), n, np.random.default_rng(seed),
                                heldout_goals=False, min_dist=1, max_dist=max_dist)


def test_training_lowers_the_loss(tiny):
    model, params, windows, _ = tiny
    walls = windows.walls()
    batch = training.batch_of(windows, walls, np.arange(64))

    loss = jax.jit(lambda p: planner.loss(p, batch, jax.random.key(0), model=model, cfg=TINY)[0])
    assert float(loss(params)) < 0.8 * float(loss(planner.create(TINY)[1]))


def test_inpainting_keeps_start_and_goal_exact(tiny):
    model, params, _, _ = tiny
    tasks = _tasks(16)
    plans = planner.plan(params, jax.random.key(0), jnp.asarray(tasks.start),
                         jnp.asarray(tasks.goal), jnp.asarray(tasks.walls), model=model, cfg=TINY)
    np.testing.assert_allclose(plans[:, 0, :2], tasks.start, atol=1e-5)
    np.testing.assert_allclose(plans[:, -1, :2], tasks.goal, atol=1e-5)
    assert float(jnp.abs(plans[:, 1:-1, :2] - plans[:, :1, :2]).max()) > 0.1  # not all fixed

    # In the sampler's own space the clamp is exact to the bit.
    cfg = GaussianConfig(num_timesteps=20, prediction="eps")
    values = jnp.arange(12.0).reshape(1, 3, 4) / 10
    mask = jnp.zeros((3, 4), bool).at[0].set(True).at[2, 1].set(True)
    x = gaussian.sample(None, jax.random.key(1), (5, 3, 4),
                        model_fn=lambda p, x, lvl, c: jnp.zeros_like(x), cfg=cfg, num_steps=7,
                        known=(values, mask), eta=1.0)
    assert (x[:, 0] == values[:, 0]).all() and (x[:, 2, 1] == values[0, 2, 1]).all()


def test_guidance_raises_the_reward_it_follows(tiny):
    model, params, _, _ = tiny
    tasks = _tasks(16, max_dist=4)
    args = (params, jax.random.key(3), jnp.asarray(tasks.start), jnp.asarray(tasks.goal),
            jnp.asarray(tasks.walls))

    def reward(scale):
        plans = planner.plan(*args, model=model, cfg=TINY, guide_scale=scale)
        return float(planner.guide_reward(plans, args[3], args[4], TINY.penalty_weight).mean())

    values = {s: reward(s) for s in (0.0, 1.0, TINY.guide_scale)}
    assert values[0.0] < values[1.0] < values[TINY.guide_scale], values


def test_the_filter_rejects_infeasible_plans():
    """The discriminator (valid: the maze can execute the plan within ``tolerance``; kept:
    valid and reaching its goal when executed) keeps a feasible plan and rejects one through
    a wall, one that teleports, and one that never gets to its goal."""
    walls = np.stack([maze.walls_of("umaze")] * 4)
    plans = np.stack([np.linspace([1.5, 1.5], [1.5, 3.5], 8)] * 4)  # along the corridor
    plans[1] = [[1.5, 1.5]] * 4 + [[2.5, 1.5]] + [[3.5, 1.5]] * 3  # across the wall (row 2)
    plans[2, 2] = [1.5, 1.5 + 3.0]  # three cells in one step, then back
    plans[3, 1:-1] = [1.5, 1.5]  # stands still, then jumps to the goal at the end
    plans = np.concatenate([plans, np.zeros_like(plans)], -1).astype(np.float32)
    tol = evolution.EvolveConfig().tolerance
    gap = np.asarray(execute.consistency(jnp.asarray(plans), jnp.asarray(walls)))
    _, ret = execute.track_plans(jnp.asarray(plans), jnp.asarray(walls))
    kept = (gap <= tol) & (np.asarray(ret) / 7 >= evolution.EvolveConfig().keep_reward)
    assert kept.tolist() == [True, False, False, False], (gap, ret)
    assert gap[0] < 1e-5 and gap[2] > tol
    pen = np.asarray(planner.penalty(jnp.asarray(plans), jnp.asarray(walls)))
    assert pen[1] > pen[0] + 0.01 and pen[2] > pen[0] + 0.01


def test_execution_replans_and_reports_positions(tiny):
    model, params, _, _ = tiny
    tasks = _tasks(4)
    ps, rs, first = execute.execute(params, jax.random.key(0), jnp.asarray(tasks.start),
                                    jnp.asarray(tasks.goal), jnp.asarray(tasks.walls),
                                    model=model, cfg=TINY, steps=48, every=7)
    assert ps.shape == (4, 49, 2) and rs.shape == (4, 48) and first.shape == (4, 8, 4)
    np.testing.assert_allclose(ps[:, 0], tasks.start)
    with pytest.raises(ValueError, match="replan every"):
        execute.execute(params, jax.random.key(0), jnp.asarray(tasks.start),
                        jnp.asarray(tasks.goal), jnp.asarray(tasks.walls), model=model,
                        cfg=TINY, steps=10, every=8)


def test_config_checks():
    with pytest.raises(ValueError, match="horizon"):
        planner.PlannerConfig(horizon=1)
    with pytest.raises(ValueError, match="sample_steps"):
        planner.PlannerConfig(timesteps=5, sample_steps=10)
    with pytest.raises(ValueError, match="guide_scale"):
        planner.PlannerConfig(guide_scale=-1.0)
    with pytest.raises(ValueError, match="source"):
        evolution.EvolveConfig(source="web")


# -- self-evolution -------------------------------------------------------------------------

WEAK = dict(items=2, candidates=8, unseen_share=0.0, eval_tasks=4, update_steps=40,
            batch_size=16, learning_rate=3e-3, replay_fraction=0.25, max_dist=4,
            fresh_tasks=False)


def test_evolution_improves_a_weak_planner(tiny, tmp_path):
    """Cycles of guided planning -> discriminator -> fine-tuning raise the reward of the
    planner's own plans on its tasks (the weak planner has seen 60 steps of data)."""
    model, params, windows, _ = tiny
    ecfg = evolution.EvolveConfig(cycles=2, **WEAK)
    state, rows = evolution.run(None, ecfg, tmp_path / "run", trained=(TINY, model, params),
                                offline=windows, progress=False)
    assert [r["cycle"] for r in rows] == [0, 1, 2]
    assert rows[0]["buffer_size"] == 0 and rows[-1]["buffer_size"] > 0
    # Deterministic; measured 0.080 -> 0.161 -> 0.125 (without learning the rows barely move).
    assert min(r["mean_reward"] for r in rows[1:]) > rows[0]["mean_reward"] + 0.04, rows
    assert {"seen_success", "unseen_score"} <= set(rows[0])
    # Resume: the run is finished; restoring a cycle gives that cycle's parameters.
    logs = []
    _, again = evolution.run(None, ecfg, tmp_path / "run", trained=(TINY, model, params),
                             offline=windows, progress=False, log=logs.append)
    assert "already finished" in logs[0] and again == rows
    last = evolution.restore_params(tmp_path / "run", None, (TINY, model, params))
    leaves = zip(jax.tree.leaves(last), jax.tree.leaves(state.params), strict=True)
    assert all(np.array_equal(a, b) for a, b in leaves)
    assert evolution.restore_params(tmp_path / "run", 0, (TINY, model, params)) is params
    with pytest.raises(ValueError, match="holds cycles"):
        evolution.restore_params(tmp_path / "run", 7, (TINY, model, params))


def test_ablations_run_through_the_same_loop(tiny):
    model, params, windows, _ = tiny
    for extra in (dict(filter=False), dict(source="offline")):
        ecfg = evolution.EvolveConfig(cycles=1, **dict(WEAK, update_steps=2), **extra)
        _, rows = evolution.run(None, ecfg, None, trained=(TINY, model, params),
                                offline=windows, progress=False)
        assert rows[0]["mechanism"] == ecfg.adapt.mechanism
        assert rows[1]["buffer_size"] == 2 * ecfg.candidates  # nothing filtered out


# -- the command ------------------------------------------------------------------------------

def _run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_evolve_and_eval(tiny, tmp_path, capsys):
    planner_dir, run_dir = tiny[3], tmp_path / "r"
    code, out, _ = _run(capsys, "maze", "evolve", "--planner", str(planner_dir), "--out",
                        str(run_dir), "--cycles", "1", "--items", "2", "--candidates", "8",
                        "--update-steps", "1", "--eval-tasks", "4", "--quiet")
    assert code == 0 and "unseen" in out.splitlines()[0]
    png = tmp_path / "plans.png"
    code, out, _ = _run(capsys, "maze", "eval", "--planner", str(planner_dir), "--run",
                        str(run_dir), "--tasks", "4", "--png", str(png), "--json")
    assert code == 0 and set(json.loads(out)) == {"seen", "unseen"}
    assert (tmp_path / "plans_seen.png").is_file()


@pytest.mark.parametrize("argv,message", [
    (["maze", "data", "--out", "x.txt"], "ending in .npz"),
    (["maze", "eval", "--planner", "{tmp}/none"], "no trained planner"),
    (["maze", "evolve", "--planner", "{tmp}/none", "--out", "{tmp}/r"], "no trained planner"),
    (["maze", "eval", "--planner", "{tmp}/p", "--cycle", "1"], "--cycle needs --run"),
    (["maze", "train", "--out", "{tmp}/t", "--data", "{tmp}/bad.npz"], "not maze data"),
    (["maze", "train", "--out", "{tmp}/t", "--episode-steps", "4"], "no window"),
])
def test_cli_bad_inputs_give_one_line(tmp_path, capsys, argv, message):
    (tmp_path / "bad.npz").write_text("not an archive")
    (tmp_path / "p").mkdir()
    training.save(tmp_path / "p", TINY, planner.create(TINY)[1])
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, _, err = _run(capsys, *argv)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("adjax: error:") and message in err, err


def test_evolve_config_record():
    ecfg = evolution.EvolveConfig(cycles=2, items=3, candidates=4)
    assert ecfg.adapt.buffer_capacity == 24 and ecfg.loop.require_valid
    nofilter = dataclasses.replace(ecfg, filter=False).loop
    assert nofilter.keep_top == 1.0 and not nofilter.require_valid


def test_evolution_picture(tiny, tmp_path):
    model, params, _, _ = tiny
    rows = [{"seen_success": 50.0 + c, "unseen_success": 40.0 + 2 * c} for c in range(3)]
    png = tmp_path / "maze.png"
    figure.draw_evolution(png, model, TINY, params, params, _tasks(4),
                          {"evolve": [rows, rows], "offline-data": [rows, rows]})
    assert png.stat().st_size > 10_000
