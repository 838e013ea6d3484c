"""The maze planning domain: AdaptDiffuser's self-evolving planner on the Gaussian core.

Modules, bottom up: ``maze`` (the JAX environment), ``data`` (offline waypoint data),
``planner`` (the Diffuser-style planner), ``training`` (fit, save, load), ``execute`` (tasks,
replanning execution, references), ``evolution`` (the domain of ``adjax_adapt.evolve``),
``figure`` (pictures). For research scripts::

    from adjax_adapt.planning import data, evolution, maze, planner, training

    cfg = planner.PlannerConfig()
    windows = data.generate(maze.TRAIN, episodes=96, steps=256, horizon=cfg.horizon)
    model, params, _ = training.fit(cfg, windows, training.FitConfig())
    state, rows = evolution.run(None, evolution.EvolveConfig(), "runs/evolve",
                                trained=(cfg, model, params), offline=windows)
"""
