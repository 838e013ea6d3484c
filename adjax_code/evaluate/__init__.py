"""Evaluation: pass@k over the task suite and HumanEval, model evaluation."""
