"""Issue 26: ``-o`` puts each file in place whole (``rulebook/io/outputs.py``): a link at
the path is replaced, never written through; a pair of CSV files is written both or
neither; Parquet and CSV pairs need a path, not ``-``. A name that is no file (a pipe, a
character device, the process's own descriptors) is written into, never replaced."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulebook.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "cybermail-2026-09.csv")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["adjudicate", "cybermail", EXAMPLE, *args])
    return result.exit_code, result.stderr


@pytest.mark.parametrize("fmt", ["html", "json", "jsonl", "markdown"])
def test_a_link_at_the_output_is_replaced_not_written_through(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "precious"
    target.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "out").symlink_to(target)
    code, _ = run("--format", fmt, "-o", "out")
    assert code == 0
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert not (tmp_path / "out").is_symlink() and (tmp_path / "out").stat().st_size > 100
    assert oct((tmp_path / "out").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "precious"]  # no temp left


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_pair_of_csv_files_is_written_both_or_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.periods.csv").mkdir()  # the second file cannot be written
    code, err = run("--format", "csv", "-o", "x")
    assert code == 1 and err.endswith(
        "rulebook: x.periods.csv: is a folder; give the path of a file\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.periods.csv"]
    code, err = run("--format", "csv", "-o", "y")
    assert code == 0 and "rulebook: wrote y.records.csv\nrulebook: wrote y.periods.csv\n" in err


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_files_named_after_a_prefix_need_a_path_not_a_dash(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run("--format", fmt, "-o", "-")
    assert code == 2
    assert f"--format {fmt} writes files named after -o PREFIX: give a path, not -" in err
    assert list(tmp_path.iterdir()) == []


def test_parquet_files_are_put_in_place_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.records.parquet").symlink_to(tmp_path / "elsewhere")
    code, err = run("--format", "parquet", "-o", "p")
    assert code == 0, err
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["p.periods.parquet", "p.records.parquet", "p.segments.parquet"]
    assert not (tmp_path / "p.records.parquet").is_symlink()


CYBERMAIL = str(ROOT / "contracts" / "cybermail.sla")

#: Every command that writes ``-o PATH`` as one file (adjudicate's formats above).
WRITERS = {
    "report-table": ["report", "cybermail", EXAMPLE, "--format", "table"],
    "report-json": ["report", "cybermail", EXAMPLE, "--format", "json"],
    "report-csv-periods": ["report", "cybermail", EXAMPLE, "--format", "csv", "--what", "periods"],
    "adjudicate-csv-records": ["adjudicate", "cybermail", EXAMPLE, "--format", "csv", "--what",
                               "records"],
    "adjudicate-records-engine": ["adjudicate", "cybermail", EXAMPLE, "--engine", "records"],
    "diff-table": ["diff", CYBERMAIL, CYBERMAIL],
    "diff-html": ["diff", CYBERMAIL, CYBERMAIL, "--format", "html"],
    "diff-json-log": ["diff", CYBERMAIL, CYBERMAIL, EXAMPLE, "--format", "json"],
    "init": ["init", EXAMPLE, "--force"],
    "packet": ["packet", "cybermail", EXAMPLE],
}  # fmt: skip


@pytest.mark.parametrize("command", list(WRITERS), ids=list(WRITERS))
def test_every_command_replaces_a_link_at_its_output(
    tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`diff -o` wrote through a link (a plain open) until issue 26's second look."""
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "precious"
    target.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "out").symlink_to(target)
    result = CliRunner().invoke(main, [*WRITERS[command], "-o", "out"])
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert not (tmp_path / "out").is_symlink() and (tmp_path / "out").stat().st_size > 50
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "precious"]


def test_diff_names_a_file_it_cannot_write(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["diff", CYBERMAIL, CYBERMAIL, "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == f"rulebook: {tmp_path}: is a folder; give the path of a file\n"


def test_coverage_pages_replace_a_link_at_their_names(tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.write_text("keep me\n", encoding="utf-8")
    pages = tmp_path / "coverage"
    pages.mkdir()
    (pages / "index.html").symlink_to(target)
    result = CliRunner().invoke(main, ["test", CYBERMAIL, "--coverage-html", str(pages)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert not (pages / "index.html").is_symlink()
    assert sorted(p.name for p in pages.iterdir()) == ["cybermail.html", "index.html"]


def test_fmt_rewrites_a_file_whole_keeping_its_mode_and_a_link_to_it(tmp_path: Path) -> None:
    """fmt edits the file it is given: through a link, the file the link names (the link
    stays, as other formatters do); written beside it and renamed, its mode kept."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "vocabulary.sla").write_bytes((ROOT / "contracts" / "vocabulary.sla").read_bytes())
    (real / "t.sla").write_text(
        'import "vocabulary.sla"\ncontract t {\ntitle "t"\n  provider "p"\n  source "s"\n'
        '  language ja\n  timezone "Asia/Tokyo"\n  kind objective\n}\n',
        encoding="utf-8",
    )
    (real / "t.sla").chmod(0o600)
    (tmp_path / "link.sla").symlink_to(real / "t.sla")
    result = CliRunner().invoke(main, ["fmt", str(tmp_path / "link.sla")])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "link.sla").is_symlink()
    assert '\ncontract t {\n  title "t"\n' in (real / "t.sla").read_text(encoding="utf-8")
    assert (real / "t.sla").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in real.iterdir()) == ["t.sla", "vocabulary.sla"]


def test_csv_to_a_pipe_is_the_file_written_by_o(tmp_path: Path) -> None:
    """click.echo dropped ANSI sequences when standard output was no terminal: an id
    ``a<ESC>[2Jb`` came out as ``ab``, a different record than the JSON's."""
    log = tmp_path / "log.csv"
    log.write_text(
        "id,service,start,end\na\x1b[2Jb,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00\n",
        encoding="utf-8",
    )
    args = ["adjudicate", "cybermail", str(log), "--format", "csv", "--what", "records"]
    piped = CliRunner().invoke(main, args)
    written = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "out.csv")])
    assert piped.exit_code == written.exit_code == 0
    assert piped.stdout_bytes == (tmp_path / "out.csv").read_bytes()
    assert piped.stdout.splitlines()[1].startswith("a\x1b[2Jb,CYBERMAIL Σ,")


def test_fmt_to_a_pipe_keeps_every_character(tmp_path: Path) -> None:
    """A title holding ESC (which check refuses) came out of `fmt -` without its ANSI
    sequence: a file check refuses became one it passes."""
    text = CONTRACT.replace('title "t"', 'title "a\x1b[2Jb"')
    result = CliRunner().invoke(main, ["fmt", "-"], input=text)
    assert result.exit_code == 0
    assert result.stdout == text


CONTRACT = (
    'import "vocabulary.sla"\n\ncontract t {\n  title "t"\n  provider "p"\n  source "s"\n'
    '  language ja\n  timezone "Asia/Tokyo"\n  kind objective\n}\n'
)


def test_fmt_in_a_folder_it_may_not_write_writes_the_file_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file can be made beside it (as for a user in a read-only folder; the tests may
    run as root, whom no mode stops): the file, which may be written, is rewritten."""
    import tempfile

    from rulebook.io import outputs

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    path = tmp_path / "t.sla"
    path.write_text("a much longer text than the new one\n", encoding="utf-8")
    monkeypatch.setattr(tempfile, "mkstemp", refused)
    outputs.rewrite_file(str(path), b"short\n")
    assert path.read_bytes() == b"short\n"


def _a_character_device(tmp_path: Path) -> str:
    """A null device made in ``tmp_path`` where the tests may make one (as root), else
    /dev/null itself, whose folder is then not this user's to write (a file put in its
    place could not be)."""
    try:
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        return os.devnull
    return str(tmp_path / "null")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "html"])
def test_a_character_device_at_the_output_is_written_into_not_replaced(
    tmp_path: Path, fmt: str
) -> None:
    """``-o /dev/null`` as root put a plain file in place of the machine's /dev/null."""
    device = _a_character_device(tmp_path)
    code, err = run("--format", fmt, "-o", device)
    assert code == 0, err
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ([] if device == os.devnull else ["null"])


@pytest.mark.parametrize(
    ("fmt", "engine"), [("json", "columnar"), ("jsonl", "columnar"), ("jsonl", "stream")]
)
def test_a_pipe_at_the_output_gets_the_bytes_a_file_gets(
    tmp_path: Path, fmt: str, engine: str
) -> None:
    """A FIFO (as a shell's ``>(gzip > out.gz)`` is) was replaced by a file: its reader
    waited for ever, and the output went nowhere it was asked to go."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, err = run("--format", fmt, "--engine", engine, "-o", str(fifo))
    reader.join(timeout=60)
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert run("--format", fmt, "--engine", engine, "-o", str(tmp_path / "file"))[0] == 0
    assert got == [(tmp_path / "file").read_bytes()]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "pipe"]


def test_the_process_own_descriptors_are_written_through(tmp_path: Path) -> None:
    """``-o /dev/fd/N`` (what a shell passes for ``>(...)``) and ``-o /dev/stdout``: the
    descriptor the process was given, its offset kept (``>>`` appends)."""
    command = [sys.executable, "-m", "rulebook", "adjudicate", "cybermail", EXAMPLE]
    expected = tmp_path / "expected.jsonl"
    made = subprocess.run([*command, "--format", "jsonl", "-o", str(expected)], check=False)
    assert made.returncode == 0
    read, write = os.pipe()
    child = subprocess.run(
        [*command, "--format", "jsonl", "-o", f"/dev/fd/{write}"],
        pass_fds=(write,),
        capture_output=True,
        check=False,
    )
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        assert child.returncode == 0 and pipe.read() == expected.read_bytes()
    log = tmp_path / "log"
    log.write_bytes(b"before\n")
    with log.open("ab") as out:
        child = subprocess.run(
            [*command, "--format", "jsonl", "-o", "/dev/stdout"], stdout=out, check=False
        )
    assert child.returncode == 0
    assert log.read_bytes() == b"before\n" + expected.read_bytes()
    closed = subprocess.run(
        [*command, "-o", "/dev/fd/9"], capture_output=True, text=True, check=False
    )
    assert closed.returncode == 1
    assert closed.stderr.endswith("rulebook: /dev/fd/9: Bad file descriptor\n")


def test_a_socket_at_the_output_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a short name: a socket's path is at most 108 bytes
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock")
        code, err = run("--format", "json", "-o", "sock")
    assert code == 1
    assert err.endswith(
        "rulebook: sock: is a block device or a socket; accepted: a file, a pipe or a "
        "character device\n"
    )
    assert stat.S_ISSOCK(os.lstat("sock").st_mode)


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "parquet", "csv"])
def test_a_missing_folder_is_named_not_the_temporary_file(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said ``nodir/sub/.r.rod_z_qu: No such file or directory``: a name nobody gave."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("", encoding="utf-8")
    named = "r.records.csv" if fmt == "csv" else "r"
    for folder, problem in (("nodir/sub", "does not exist"), ("afile", "is not a folder")):
        code, err = run("--format", fmt, "-o", f"{folder}/r")
        assert code == 1
        assert err.endswith(f"rulebook: {folder}/{named}: its folder {folder} {problem}\n"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_prefix_ending_in_a_slash_is_refused(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o adir/`` wrote ``adir/.records.csv``: files ``ls`` does not show."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir").mkdir()
    code, err = run("--format", fmt, "-o", "adir/")
    assert code == 2
    assert "adir/ ends with a slash" in err and "give a name, such as adir/out" in err
    assert list((tmp_path / "adir").iterdir()) == []


@pytest.mark.parametrize(("fmt", "named"), [("json", "log.csv"), ("csv", "log.records.csv")])
def test_an_output_in_place_of_an_input_is_refused(
    tmp_path: Path, fmt: str, named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report LOG -o LOG`` replaced the log with its own report, exit 0."""
    monkeypatch.chdir(tmp_path)
    text = Path(EXAMPLE).read_text(encoding="utf-8")
    (tmp_path / named).write_text(text, encoding="utf-8")
    prefix = "log" if fmt == "csv" else named
    result = CliRunner().invoke(main, ["report", "cybermail", named, "--format", fmt, "-o", prefix])
    assert result.exit_code == 2
    assert f"-o {named} is the input {named}: the output would replace it" in result.stderr
    assert (tmp_path / named).read_text(encoding="utf-8") == text
    notices = tmp_path / "notices.csv"
    notices.write_text("id,start,end\n", encoding="utf-8")
    code, err = run("--notices", "notices.csv", "-o", "notices.csv")
    assert code == 2 and "-o notices.csv is the input notices.csv" in err


def _contract_folder(tmp_path: Path) -> dict[str, bytes]:
    """cybermail.sla, the vocabulary it imports, a project file naming it and a log, in
    ``tmp_path``; each file's bytes."""
    for name in ("cybermail.sla", "vocabulary.sla"):
        (tmp_path / name).write_bytes((ROOT / "contracts" / name).read_bytes())
    (tmp_path / "log.csv").write_bytes(Path(EXAMPLE).read_bytes())
    (tmp_path / "rulebook.toml").write_text('contract = "cybermail.sla"\n', encoding="utf-8")
    return {p.name: p.read_bytes() for p in tmp_path.iterdir()}


#: Every command with -o, as it reads the contract cybermail.sla and the log.
_WRITERS = {
    "adjudicate": ["adjudicate", "cybermail.sla", "log.csv", "--format", "json"],
    "report": ["report", "cybermail.sla", "log.csv", "--format", "json"],
    "report-csv": ["report", "cybermail.sla", "log.csv", "--format", "csv", "--what", "periods"],
    "report-stream": ["report", "cybermail.sla", "log.csv", "--engine", "stream"],
    "packet": ["packet", "cybermail.sla", "log.csv"],
    "diff": ["diff", "cybermail.sla", "cybermail.sla", "log.csv"],
}


@pytest.mark.parametrize("target", ["cybermail.sla", "vocabulary.sla", "rulebook.toml"])
@pytest.mark.parametrize("command", list(_WRITERS))
def test_an_output_in_place_of_the_contract_its_imports_or_the_project_file_is_refused(
    tmp_path: Path, command: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report C.sla LOG -o C.sla`` replaced the contract with the report (so did -o on
    a file it imports, or on the project file), exit 0: a usage error as ``-o LOG`` is."""
    monkeypatch.chdir(tmp_path)
    before = _contract_folder(tmp_path)
    result = CliRunner().invoke(main, [*_WRITERS[command], "-o", target])
    assert result.exit_code == 2, result.stderr
    assert f"-o {target} is the input {target}: the output would replace it" in result.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("target", ["empty.sla", "extra.sla"])
def test_an_output_in_place_of_an_empty_import_or_a_vocabularys_import_is_refused(
    tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file the contract's imports name, followed from file to file, is an input:
    an empty file it imports, and a file its vocabulary imports (which loading does not
    read), were written over when the files were taken from the check's own list."""
    monkeypatch.chdir(tmp_path)
    _contract_folder(tmp_path)
    text = (tmp_path / "cybermail.sla").read_text(encoding="utf-8")
    (tmp_path / "c2.sla").write_text('import "empty.sla"\n' + text, encoding="utf-8")
    (tmp_path / "empty.sla").write_text("", encoding="utf-8")
    vocabulary = (tmp_path / "vocabulary.sla").read_text(encoding="utf-8")
    (tmp_path / "vocabulary.sla").write_text('import "extra.sla"\n' + vocabulary, "utf-8")
    (tmp_path / "extra.sla").write_text("", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for args in (
        ["report", "c2.sla", "log.csv", "--format", "json"],
        ["packet", "c2.sla", "log.csv"],
    ):
        result = CliRunner().invoke(main, [*args, "-o", target])
        assert result.exit_code == 2, result.output
        assert f"-o {target} is the input {target}: the output would replace it" in result.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("how", ["found", "--config", "contract from it"])
def test_the_project_file_is_compared_by_identity_not_by_name(
    tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in a parent folder, given with --config, or naming the contract: the project
    file is an input whichever name the output gives it."""
    before = _contract_folder(tmp_path)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    args = ["report", "../cybermail.sla", "../log.csv", "--format", "json"]
    if how == "--config":
        args += ["--config", str(tmp_path / "rulebook.toml")]
    elif how == "contract from it":
        args = ["report", "../log.csv", "--format", "json"]
    result = CliRunner().invoke(main, [*args, "-o", "./../sub/../rulebook.toml"])
    assert result.exit_code == 2, result.stderr
    assert "-o ./../sub/../rulebook.toml is the input " in result.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


@pytest.mark.parametrize("name", ["cybermail.sla", "vocabulary.sla"])
@pytest.mark.parametrize("command", ["adjudicate", "diff", "packet", "init"])
def test_a_bundled_contract_and_its_vocabulary_are_never_written_over(
    tmp_path: Path, name: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundled id resolves to a file in the package: ``-o`` on it (or on the vocabulary
    it imports) replaced the bundled contract. (The bundled folder is a copy here.)"""
    import rulebook.load

    bundled = tmp_path / "bundled"
    bundled.mkdir()
    for sla in (ROOT / "contracts").glob("*.sla"):
        (bundled / sla.name).write_bytes(sla.read_bytes())
    monkeypatch.setattr(rulebook.load, "bundled_dir", lambda: bundled)
    before = {p.name: p.read_bytes() for p in bundled.iterdir()}
    args = {
        "adjudicate": ["adjudicate", "cybermail", EXAMPLE, "--format", "json"],
        "diff": ["diff", "cybermail", "cybermail"],
        "packet": ["packet", "cybermail", EXAMPLE],
        "init": ["init", EXAMPLE, "--contract", "cybermail", "--force"],
    }[command]
    result = CliRunner().invoke(main, [*args, "-o", str(bundled / name)])
    assert result.exit_code == 2, result.stderr
    assert f"-o {bundled / name} is the input {bundled / name}:" in result.stderr
    assert {p.name: p.read_bytes() for p in bundled.iterdir()} == before


def test_init_never_writes_over_its_log_even_with_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = _contract_folder(tmp_path)
    for args in (
        ["log.csv", "-o", "log.csv"],
        ["--contract", "cybermail.sla", "-o", "vocabulary.sla"],
    ):
        result = CliRunner().invoke(main, ["init", *args, "--force"])
        assert result.exit_code == 2, result.stderr
        assert f"-o {args[-1]} is the input {args[-1]}:" in result.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
