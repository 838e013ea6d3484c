"""Training: the trainer of the code model and packaging of a run."""
