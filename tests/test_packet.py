"""`rulebook packet` and `rulebook verify`: a packet of every example month verifies as
identical; one byte changed in an input, in the contract or in the JSON decision record
(or another version in the manifest) is named, with exit 1; inputs past --inputs-up-to are
kept as hashes and asked for; a file that is no packet is refused in one line."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from rulebook._version import __version__
from rulebook.cli import main
from rulebook.report.packet import compare_documents, input_name, parse_size
from tests import goldens

ROOT = Path(__file__).resolve().parent.parent
make_reports: Any = goldens.make_reports()


def _invoke(args: list[str]) -> Result:
    return CliRunner(env={"SOURCE_DATE_EPOCH": make_reports.EPOCH}).invoke(main, args)


def _packet(contract: str, out: Path, *extra: str) -> bytes:
    args = make_reports.arguments(contract, "ja", out)
    args = [*args[: args.index("--format")], "--lang", "ja", *extra, "-o", str(out)]
    args[0] = "packet"
    result = _invoke(args)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stderr
    return out.read_bytes()


def _verify(packet: Path, *given: str) -> Result:
    return CliRunner().invoke(main, ["verify", str(packet), *given])


def _change(packet: Path, member: str, needle: bytes, out: Path, offset: int = 0) -> None:
    """``packet`` with the byte at ``offset`` of the first ``needle`` in ``member``
    changed (a digit to the next one), written to ``out``."""
    with zipfile.ZipFile(packet) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                at = data.index(needle) + offset
                digit = data[at : at + 1]
                changed = str((int(digit) + 1) % 10).encode() if digit.isdigit() else b"X"
                data = data[:at] + changed + data[at + 1 :]
            zout.writestr(info, data)


@pytest.fixture(scope="module")
def cybermail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("packet") / "claim.zip"
    _packet("cybermail", out)
    return out


@pytest.mark.parametrize("contract", list(make_reports.EXAMPLES))
def test_every_example_verifies_as_identical(contract: str, tmp_path: Path) -> None:
    out = tmp_path / "claim.zip"
    data = _packet(contract, out)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
    assert names[:4] == ["manifest.json", "report.pdf", "report.html", "decision.json"]
    assert any(n.startswith("contract/") for n in names)
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert [i["path"] for i in manifest["inputs"]] == [n for n in names if n.startswith("inputs/")]
    result = _verify(out)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("identical: ")


def test_the_packet_is_the_same_bytes_again(cybermail: Path, tmp_path: Path) -> None:
    assert _packet("cybermail", tmp_path / "again.zip") == cybermail.read_bytes()


@pytest.mark.parametrize(
    ("member", "needle", "named"),
    [
        (
            "inputs/1-outages-cybermail-2026-09.csv",
            b"09:31:30",
            [
                "inputs/1-outages-cybermail-2026-09.csv: changed",
                'decision.json: record cm-01 end: "2026-09-02T09:31:30+09:00" in the packet, '
                '"2026-09-02T19:31:30+09:00" now',
                'decision.json: CYBERMAIL Σ 2026-09 availability: "99.8113" in the packet',
            ],
        ),
        (
            "contract/cybermail.sla",
            b"99.9%",
            ["contract/cybermail.sla: changed", "decision.json: contract sha256: "],
        ),
        (
            "decision.json",
            b'"availability": "99.8113"',
            [
                "decision.json: changed",
                'decision.json: CYBERMAIL Σ 2026-09 availability: "99.8213" in the packet, '
                '"99.8113" now',
            ],
        ),
    ],
)
def test_one_byte_changed_is_named(
    cybermail: Path, tmp_path: Path, member: str, needle: bytes, named: list[str]
) -> None:
    changed = tmp_path / "changed.zip"
    # in the decision record a digit of the figure (99.8113 -> 99.8213), elsewhere the first
    _change(cybermail, member, needle, changed, 21 if member == "decision.json" else 0)
    result = _verify(changed)
    assert result.exit_code == 1, result.output
    for line in named:
        assert f"rulebook: {line}" in result.stderr, (line, result.stderr)
    assert "difference(s); see above" in result.stderr
    assert "identical" not in result.stdout


def test_another_version_is_named(cybermail: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(cybermail) as zin, zipfile.ZipFile(changed, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["rulebook"] = "0.0.1"
                data = json.dumps(manifest).encode()
            zout.writestr(info, data)
    result = _verify(changed)
    assert result.exit_code == 1
    assert (
        f"rulebook: rulebook version: the packet was made with 0.0.1, this is {__version__}"
        in result.stderr
    )


def test_large_inputs_are_kept_as_hashes_and_asked_for(tmp_path: Path) -> None:
    out = tmp_path / "claim.zip"
    _packet("cybermail", out, "--inputs-up-to", "1K")  # the log is 1,488 bytes
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert not any(n.startswith("inputs/1-") for n in z.namelist())
    log = manifest["inputs"][0]
    assert (log["role"], log["name"], log["size"], log["path"]) == (
        "OUTAGES",
        "cybermail-2026-09.csv",
        1488,
        None,
    )
    result = _verify(out)
    assert result.exit_code == 1
    assert "cybermail-2026-09.csv (OUTAGES) is in the packet as its hash only" in result.stderr
    result = _verify(out, str(ROOT / "examples" / "cybermail-2026-09.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("identical: ")


def test_a_file_that_is_no_packet_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_text("no zip", encoding="utf-8")
    result = _verify(bad)
    assert result.exit_code == 1
    assert result.stderr == (
        f"rulebook: {bad}: not a ZIP file (a packet is what `rulebook packet` writes)\n"
    )
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("x.txt", "x")
    result = _verify(bad)
    assert (
        result.stderr == f"rulebook: {bad}: no manifest.json; not a packet of `rulebook packet`\n"
    )


def test_sizes_names_and_differences_in_words() -> None:
    assert parse_size("10M") == 10 * 1024 * 1024
    with pytest.raises(ValueError, match="not a size"):
        parse_size("ten")
    assert input_name(1, "OUTAGES", "../../etc/passwd") == "inputs/1-outages-passwd"
    kept = {"rulebook": "1", "contract": {"id": "c", "sha256": "a"}, "periods": [], "outages": []}
    fresh = {**kept, "contract": {"id": "c", "sha256": "b"}}
    assert compare_documents(kept, fresh) == ["contract sha256: 'a' in the packet, 'b' now"]


def test_a_packet_keeps_the_project_file_and_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("aoulu-cloud-2026-09.csv", "aoulu-cloud-2026-09-notices.csv"):
        (tmp_path / name).write_bytes((ROOT / "examples" / name).read_bytes())
    project = 'contract = "aoulu-cloud"\nlang = "ja"\n'
    (tmp_path / "rulebook.toml").write_text(project, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["packet", "aoulu-cloud-2026-09.csv", "--notices", "aoulu-cloud-2026-09-notices.csv"]
    result = _invoke([*args, "-o", "claim.zip"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "claim.zip") as z:
        assert z.read("project/rulebook.toml").decode("utf-8") == project
        manifest = json.loads(z.read("manifest.json"))
    digest = hashlib.sha256(project.encode()).hexdigest()
    assert manifest["provenance"]["project"] == {"name": "rulebook.toml", "sha256": digest}
    assert manifest["lang"] == "ja"  # the project's language
    result = _verify(tmp_path / "claim.zip")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("identical: ")


def test_a_pdf_or_a_packet_needs_a_path(tmp_path: Path) -> None:
    log = str(ROOT / "examples" / "cybermail-2026-09.csv")
    for args in (
        ["report", "cybermail", log, "--format", "pdf", "-o", "-"],
        ["report", "cybermail", log, "--format", "pdf"],
        ["packet", "cybermail", log, "-o", "-"],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, args
        assert "give -o PATH" in result.stderr or "Missing option '-o'" in result.stderr


# ------------------------------------------------------------------ the contract's imports


def _rewrite(packet: Path, out: Path, edit: Any) -> None:
    """``packet`` with each member's bytes replaced by ``edit(name, data)`` (``None``: the
    member left out), written to ``out``."""
    with zipfile.ZipFile(packet) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)


@pytest.fixture
def own_vocabulary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A packet of a contract in a folder of its own that imports a vocabulary file beside
    it (one the bundled contracts do not have); the folder is gone once it is made."""
    folder = tmp_path / "mine"
    folder.mkdir()
    text = (ROOT / "contracts" / "cybermail.sla").read_text(encoding="utf-8")
    assert text.startswith('import "vocabulary.sla"\n')
    (folder / "mine.sla").write_text(text.replace("vocabulary.sla", "terms.sla", 1), "utf-8")
    (folder / "terms.sla").write_bytes((ROOT / "contracts" / "vocabulary.sla").read_bytes())
    out = tmp_path / "claim.zip"
    log = str(ROOT / "examples" / "cybermail-2026-09.csv")
    result = _invoke(["packet", str(folder / "mine.sla"), log, "-o", str(out)])
    assert result.exit_code == 0, result.output
    for file in folder.iterdir():  # verify reads the packet's copies, nothing else
        file.unlink()
    folder.rmdir()
    monkeypatch.chdir(tmp_path)
    return out


def test_a_contract_importing_a_vocabulary_beside_it_verifies(own_vocabulary: Path) -> None:
    with zipfile.ZipFile(own_vocabulary) as z:
        manifest = json.loads(z.read("manifest.json"))
        terms = z.read("contract/terms.sla")
    assert manifest["contract"] == "contract/mine.sla"
    assert manifest["imports"] == [{"name": "terms.sla", "path": "contract/terms.sla"}]
    assert manifest["files"]["contract/terms.sla"]["sha256"] == hashlib.sha256(terms).hexdigest()
    result = _verify(own_vocabulary)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("identical: ")


def test_a_byte_of_the_vocabulary_changed_is_named(own_vocabulary: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.zip"
    _change(own_vocabulary, "contract/terms.sla", b"facts vocabulary shared", changed)
    result = _verify(changed)
    assert result.exit_code == 1, result.output
    assert "rulebook: contract/terms.sla: changed (sha256 " in result.stderr
    assert "1 difference(s); see above" in result.stderr


def test_an_import_the_packet_does_not_hold_is_not_looked_up(
    own_vocabulary: Path, tmp_path: Path
) -> None:
    # without its copy in the packet (and in the manifest), the import is not read from
    # anywhere else: not beside the packet, not among the bundled contracts
    def drop(name: str, data: bytes) -> bytes | None:
        if name == "manifest.json":
            manifest = json.loads(data)
            del manifest["files"]["contract/terms.sla"]
            manifest["imports"] = []
            return json.dumps(manifest).encode()
        return None if name == "contract/terms.sla" else data

    (tmp_path / "terms.sla").write_bytes((ROOT / "contracts" / "vocabulary.sla").read_bytes())
    changed = tmp_path / "changed.zip"
    _rewrite(own_vocabulary, changed, drop)
    result = _verify(changed)
    assert result.exit_code == 1
    assert result.stderr == (
        "rulebook: the contract imports 'terms.sla', which the packet does not hold: it "
        "cannot be rebuilt from the packet alone\n"
    )


def test_an_import_path_leaving_the_contract_folder_is_refused(
    own_vocabulary: Path, tmp_path: Path
) -> None:
    def escape(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["imports"] = [{"name": "terms.sla", "path": "contract/../terms.sla"}]
            return json.dumps(manifest).encode()
        return data

    changed = tmp_path / "changed.zip"
    _rewrite(own_vocabulary, changed, escape)
    result = _verify(changed)
    assert result.exit_code == 1
    assert "names 'contract/../terms.sla' as a contract file: not a path under contract/" in (
        result.stderr
    )
    assert not (tmp_path / "terms.sla").exists()


# ------------------------------------------------------------------ the PDF, a rendering


def test_a_pdf_rendered_again_verifies_with_a_note(cybermail: Path, tmp_path: Path) -> None:
    import weasyprint

    with zipfile.ZipFile(cybermail) as z:
        html = z.read("report.html").decode("utf-8")
        kept = z.read("report.pdf")
    # the same page printed by WeasyPrint with other settings: other bytes, same pages
    again = weasyprint.HTML(string=html).write_pdf(uncompressed_pdf=True)
    assert again != kept

    def rendered(name: str, data: bytes) -> bytes:
        if name == "report.pdf":
            return again
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["report.pdf"] = {
                "size": len(again),
                "sha256": hashlib.sha256(again).hexdigest(),
            }
            return json.dumps(manifest).encode()
        return data

    changed = tmp_path / "rendered.zip"
    _rewrite(cybermail, changed, rendered)
    result = _verify(changed)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("identical: ") and "same decision record and HTML" in lines[0]
    assert lines[1] == (
        "note: report.pdf is a rendering of report.html; what is verified are the figures "
        "(decision.json) and the HTML. The PDF matches the manifest's sha256; this machine "
        "renders other bytes (fonts or WeasyPrint differ from the sender's), so its pages are "
        "not compared"
    )
    # the packet as made: the PDF this machine renders
    result = _verify(cybermail)
    assert result.stdout.splitlines()[1].endswith("and this machine renders the same bytes")


def test_a_byte_of_the_pdf_changed_is_named(cybermail: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.zip"
    _change(cybermail, "report.pdf", b"%PDF-1.", changed, 7)  # the version: a digit
    result = _verify(changed)
    assert result.exit_code == 1, result.output
    assert "rulebook: report.pdf: changed (sha256 " in result.stderr
    assert "1 difference(s); see above" in result.stderr
    assert "identical" not in result.stdout


def test_a_manifest_that_gives_a_key_twice_is_refused(cybermail: Path, tmp_path: Path) -> None:
    """A packet comes from the other side: its manifest is read one way only (issue 26,
    class 6), not with the last of two ``sha256`` values as Python would."""
    twice = tmp_path / "twice.zip"

    def edit(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return data.replace(b'{\n  "format": 1,', b'{\n  "format": 1,\n  "format": 1,', 1)

    _rewrite(cybermail, twice, edit)
    result = _verify(twice)
    assert result.exit_code == 1
    assert result.stderr == (
        f"rulebook: {twice}: manifest.json:1:1: the key 'format' is given twice in one object; "
        "accepted: each key once (readers differ on which of the two values counts)\n"
    )
