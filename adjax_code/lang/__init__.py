"""The language layer: the language registry, tree-sitter syntax, the code tokenizer."""
