"""Shared test fixtures. Golden files are written by ``python -m tests.write_goldens``,
never by a test (:mod:`tests.goldens`)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_project_file_from_outside(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The commands look for rulebook.toml in the working folder and its parents: a file
    a developer keeps above the checkout (or in the shared temp folder) must not change
    what the tests see. Only files inside the checkout or the tests' own temp folders
    are found."""
    from pathlib import Path

    from rulebook import project

    root = Path(__file__).resolve().parent.parent
    base = tmp_path_factory.getbasetemp().resolve()
    real = project.find

    def find(start: Path) -> Path | None:
        found = real(start)
        if found is not None and not (found.is_relative_to(root) or found.is_relative_to(base)):
            return None
        return found

    monkeypatch.setattr(project, "find", find)
