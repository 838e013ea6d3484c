"""Strings."""
TASKS = []
