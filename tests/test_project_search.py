"""Issue 26, severe item 3: where the search for ``rulebook.toml`` stops, and how the file
in use is named on stderr and recorded in every output (docs/security.md)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulebook import project
from rulebook.cli import main
from rulebook.project import discover, find

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "cybermail-2026-09.csv"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``outer/rulebook.toml`` (naive times in UTC) above ``outer/a/b``, the working folder."""
    (tmp_path / "outer" / "a" / "b").mkdir(parents=True)
    (tmp_path / "outer" / "rulebook.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    return tmp_path / "outer"


def _in_the_tree(tree: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Work in ``outer/a/b`` with the example log as ``log.csv``; the project file's
    SHA-256."""
    work = tree / "a" / "b"
    shutil.copy(EXAMPLE, work / "log.csv")
    monkeypatch.chdir(work)
    return hashlib.sha256((tree / "rulebook.toml").read_bytes()).hexdigest()


def test_a_file_two_folders_up_is_named_and_recorded_in_every_output(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = _in_the_tree(tree, monkeypatch)
    said = f"rulebook: project file ../../rulebook.toml (sha256 {sha}); --no-config runs without it"
    outs = {}
    for fmt in ("table", "markdown", "json", "html"):
        result = CliRunner().invoke(main, ["adjudicate", "cybermail", "log.csv", "--format", fmt])
        assert result.exit_code == 0, result.output
        assert said in result.stderr.splitlines()
        outs[fmt] = result.stdout
    doc = json.loads(outs["json"])
    assert doc["project_file"] == {"path": "../../rulebook.toml", "sha256": sha, "timezone": "UTC"}
    header = "timezone Asia/Tokyo (project file ../../rulebook.toml; naive times read in UTC)"
    assert header in outs["table"] and header in outs["markdown"]
    # the report's provenance names the file and its digest (the path stays out of the page,
    # so that a claim packet renders the same elsewhere; the JSON keeps it)
    assert f'<code>rulebook.toml</code> <span class="sha">sha256 {sha}</span>' in outs["html"]
    # the figures moved: 13 records read as UTC instead of Tokyo time; --no-config undoes it
    plain = CliRunner().invoke(main, ["adjudicate", "cybermail", "log.csv", "--format", "json",
                                      "--no-config"])  # fmt: skip
    assert "project file" not in plain.stderr
    assert json.loads(plain.stdout)["project_file"] is None
    assert json.loads(plain.stdout)["outages"][0]["start"] != doc["outages"][0]["start"]


def test_diff_and_explain_record_the_project_file_their_log_was_read_with(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their outputs have no header line: a line of its own, and the diff's JSON."""
    sha = _in_the_tree(tree, monkeypatch)
    line = f"project file ../../rulebook.toml (sha256 {sha}); naive times read in UTC"
    contract = str(ROOT / "contracts" / "cybermail.sla")
    diff = ["diff", contract, contract, "log.csv"]
    for args, first in [
        (["explain", "cybermail", "log.csv", "cm-01"], line + "\n\nRecord cm-01 (CYBERMAIL Σ"),
        (["explain", "cybermail", "log.csv", "--period", "CYBERMAIL Σ", "2026-09"],
         line + "\n\nCYBERMAIL Σ 2026-09\n"),
        (diff, "cybermail (cybermail.sla) → cybermail (cybermail.sla)\n\n" + line + "\n"),
        ([*diff, "--format", "markdown"], "(cybermail.sla)\n\n" + line + "\n"),
        ([*diff, "--format", "html"], f'<p class="project">{line}</p>'),
    ]:  # fmt: skip
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert first in result.stdout, args
    doc = json.loads(CliRunner().invoke(main, [*diff, "--format", "json"]).stdout)
    assert doc["project_file"] == {"path": "../../rulebook.toml", "sha256": sha, "timezone": "UTC"}
    plain = CliRunner().invoke(main, [*diff, "--format", "json", "--no-config"])
    assert json.loads(plain.stdout)["project_file"] is None
    for args in (diff, ["explain", "cybermail", "log.csv", "cm-01"]):
        assert "project file" not in CliRunner().invoke(main, [*args, "--no-config"]).stdout


def test_the_search_stops_after_the_home_folder(tree: Path) -> None:
    work = tree / "a" / "b"
    assert find(work, home=tree) == tree / "rulebook.toml"  # home itself is looked in
    assert find(work, home=tree / "a") is None  # not above it


def test_the_search_stops_at_a_folder_everyone_may_write(tree: Path) -> None:
    notes: list[str] = []
    tree.chmod(0o1777)  # like /tmp
    try:
        assert find(tree / "a" / "b", notes) is None
        assert notes == [
            f"warning: {tree / 'rulebook.toml'} is not used: its folder {tree} may be written by "
            "every user; give it with --config to use it (or --no-config to say no project "
            "file is wanted)"
        ]
        (tree / "a" / "rulebook.toml").write_text('lang = "ja"\n', encoding="utf-8")
        assert find(tree / "a" / "b") == tree / "a" / "rulebook.toml"  # below it: used
        (tree / "a" / "rulebook.toml").unlink()
        (tree / "a").chmod(0o777)  # and nothing above such a folder is looked at
        notes.clear()
        assert find(tree / "a" / "b", notes) is None and notes == []
    finally:
        tree.chmod(0o755)
        (tree / "a").chmod(0o755)


def test_a_file_others_may_write_is_not_used(tree: Path) -> None:
    (tree / "rulebook.toml").chmod(0o666)
    notes: list[str] = []
    assert find(tree / "a" / "b", notes) is None
    assert notes[0].endswith(
        "is not used: it may be written by every user; give it with --config to use it "
        "(or --no-config to say no project file is wanted)"
    )


def _seen_as(monkeypatch: pytest.MonkeyPatch, folder: Path, field: int, change: int) -> None:
    """``folder``'s stat seen with one field changed (another owner, another device)."""
    real = Path.stat

    def stat(self: Path, **kwargs: bool) -> os.stat_result:
        info = real(self, **kwargs)
        if self != folder:
            return info
        fields = list(info)
        fields[field] += change
        return os.stat_result(fields)

    monkeypatch.setattr(Path, "stat", stat)


def test_the_search_stops_at_a_folder_of_another_user(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``outer`` seen as owned by a user who is neither the one running nor root."""
    owner = os.stat(tree).st_uid + 4242
    _seen_as(monkeypatch, tree, 4, 4242)  # st_uid
    notes: list[str] = []
    assert find(tree / "a" / "b", notes) is None
    assert notes == [
        f"warning: {tree / 'rulebook.toml'} is not used: its folder {tree} belongs to another "
        f"user (uid {owner}); give it with --config to use it (or --no-config to say no "
        "project file is wanted)"
    ]


def test_the_search_does_not_cross_into_another_filesystem(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``outer`` seen as the mount point of another filesystem than ``outer/a/b``'s."""
    _seen_as(monkeypatch, tree, 2, 1)  # st_dev
    assert find(tree / "a" / "b") is None
    assert find(tree) == tree / "rulebook.toml"  # from inside it, it is found


def test_a_found_link_is_not_used_but_a_named_one_is(tree: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text('lang = "ja"\n', encoding="utf-8")
    (tree / "rulebook.toml").unlink()
    (tree / "rulebook.toml").symlink_to(elsewhere)
    notes: list[str] = []
    assert find(tree / "a" / "b", notes) is None
    assert (
        "is not used: it is a link (a found project file is used only as a file of its own)"
        in notes[0]
    )
    assert discover(str(tree / "rulebook.toml"), False).lang == "ja"  # --config: followed


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/dev/zero", "a character device"), ("/dev/null", "a character device")],
)
def test_config_naming_a_device_says_what_it_is(path: str, kind: str) -> None:
    result = CliRunner().invoke(main, ["adjudicate", "cybermail", str(EXAMPLE), "--config", path])
    assert result.exit_code == 1
    assert (
        f"rulebook: {path}: is {kind}, not a file; give the project file's path to --config"
        in result.stderr
    )


def test_config_naming_a_fifo_says_so(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)  # reading it would wait for a writer forever
    result = CliRunner().invoke(
        main, ["adjudicate", "cybermail", str(EXAMPLE), "--config", str(fifo)]
    )
    assert result.exit_code == 1
    assert f"{fifo}: is a FIFO (named pipe), not a file" in result.stderr


def test_a_project_file_is_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * project.limits.MAX_PROJECT_BYTES + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["adjudicate", "cybermail", str(EXAMPLE), "--config", str(big)]
    )
    assert result.exit_code == 1
    assert f"{big}: is larger than 1,048,576 bytes" in result.stderr
