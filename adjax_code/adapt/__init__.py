"""Self-evolution on code: the code domain of adjax_adapt's loop."""
