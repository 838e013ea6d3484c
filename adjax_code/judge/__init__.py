"""The judge: the sandbox, verdicts computed from what programs return, rewards."""
