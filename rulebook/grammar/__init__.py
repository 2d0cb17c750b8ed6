"""The DSL front end: grammar, parser and diagnostics."""
