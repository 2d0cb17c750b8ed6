"""Bundled seed contracts and the shared facts vocabulary (data files)."""
