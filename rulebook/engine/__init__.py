"""The evaluator, one module per stage."""
