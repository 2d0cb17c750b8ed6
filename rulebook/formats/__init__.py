"""Readers and writers of input and output formats."""
