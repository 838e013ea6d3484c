"""Generation: the generator (draft, repair, rerank) and refinement."""
