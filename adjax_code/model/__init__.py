"""The model: packaged model directories, the sampler network, imported checkpoints."""
