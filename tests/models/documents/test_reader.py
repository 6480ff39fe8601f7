"""Business-licence OCR on generated licences (real engine, loaded once per module), the
credit-code repair, and ``grouplake documents read``'s JSON shape.

OCR tests take a few seconds each on the shared 2-core machine (marked ``slow``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.uscc import uscc_problem
from models.documents.credit_code import repair
from models.documents.fields import FIELDS
from models.documents.fonts import FontMissingError, cjk_font_path

try:
    cjk_font_path()
except FontMissingError:  # pragma: no cover - CI installs it (make test → cjk-fonts)
    pytest.skip("no CJK font installed (bash infra/install_cjk_fonts.sh)",
                allow_module_level=True)

from models.documents.reader import DocumentError, read_document
from models.documents.synthetic import licence_pdf, make_licence

SEED = 3


@pytest.fixture(scope="module")
def licence():
    return make_licence(SEED)


@pytest.fixture(scope="module")
def read(licence):
    return read_document(licence.image)


def test_repair_maps_look_alikes_and_refuses_what_it_cannot_fix() -> None:
    assert repair("9144 0300 1922 O382 16") == ("914403001922038216", "valid")
    assert repair("9144030019220382I6") == ("914403001922038216", "valid")
    assert repair("914403001922038B16") == ("914403001922038B16", "invalid")
    assert repair("91440300192203821") == ("91440300192203821", "invalid")


@pytest.mark.slow
def test_a_generated_licence_is_read_exactly(licence, read) -> None:
    assert read["document_type"] == "business_licence"
    assert {k: v["value"] for k, v in read["fields"].items()} == licence.truth
    assert all(0.5 < v["confidence"] <= 1 for v in read["fields"].values())
    assert read["checks"] == [
        {"name": "credit_code_valid", "passed": True, "detail": "passes GB 32100-2015"},
        {"name": "fields_complete", "passed": True, "detail": "all fields read"}]


@pytest.mark.slow
def test_a_licence_whose_code_fails_gb32100_is_flagged() -> None:
    valid = make_licence(SEED).truth["credit_code"]
    bad = valid[:-1] + ("X" if valid[-1] != "X" else "W")
    assert uscc_problem(bad) == "check_character" and repair(bad)[1] == "invalid"
    result = read_document(make_licence(SEED, printed={"credit_code": bad}).image)
    assert result["fields"]["credit_code"]["value"] == bad
    assert result["fields"]["credit_code"]["confidence"] <= 0.3
    assert result["checks"][0] == {"name": "credit_code_valid", "passed": False,
                                   "detail": "the check character (18th) is wrong"}


@pytest.mark.slow
def test_a_pdf_licence_is_rendered_and_read() -> None:
    lic = make_licence(11)
    fields = read_document(licence_pdf(lic))["fields"]
    assert (fields["credit_code"]["value"], fields["name"]["value"]) == (
        lic.truth["credit_code"], lic.truth["name"])


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="not a PNG, JPEG or PDF"):
        read_document(b"MZ\x90\x00 an executable")
    with pytest.raises(DocumentError, match="empty"):
        read_document(b"")
    with pytest.raises(DocumentError, match="no such file"):
        read_document(tmp_path / "missing.jpg")


@pytest.mark.slow
def test_cli_prints_one_json_object_of_the_issue_shape(tmp_path: Path, licence) -> None:
    from grouplake.cli import app

    path = tmp_path / "营业执照.jpg"
    path.write_bytes(licence.image)
    out = CliRunner().invoke(app, ["documents", "read", str(path)])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert list(body) == ["document_type", "fields", "checks"]
    assert body["document_type"] == "business_licence"
    assert list(body["fields"]) == list(FIELDS)
    assert all(set(v) == {"value", "confidence"} for v in body["fields"].values())
    assert body["fields"]["credit_code"]["value"] == licence.truth["credit_code"]
    assert [c["name"] for c in body["checks"]] == ["credit_code_valid", "fields_complete"]
    missing = CliRunner().invoke(app, ["documents", "read", str(tmp_path / "none.pdf")])
    assert missing.exit_code == 2 and "no such file" in missing.output
