"""Uploads are judged by their content, not their name (P2): a signed commitment must be
a PDF, OFD or scan; a file whose content does not match its extension is refused; XLSX
formula cells saved without their value are refused with row and column (S9, C10)."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.errors import ValidationFailed
from portal.uploads import (
    ANY_ATTACHMENT,
    OFFICE_DOCUMENT,
    SIGNED_DOCUMENT,
    document_check,
    sniff,
)
from tests.sharing.conftest import conditional_resource, filed, people  # noqa: F401,F811


def zipped(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["a", "b"])
    workbook.save(out)
    return out.getvalue()


SAMPLES = {
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "ofd": zipped("OFD.xml", "Doc_0/Document.xml"),
    "docx": zipped("[Content_Types].xml", "word/document.xml"),
    "xlsx": xlsx_bytes(),
    "ole": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    "zip": zipped("说明.txt"),
    "text": "信息安全保障承诺书\n本单位承诺……".encode(),
    "": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_content_is_recognised_whatever_the_name(kind):
    assert sniff(io.BytesIO(SAMPLES[kind])) == kind


def test_gbk_text_is_text_and_a_cut_character_at_the_sample_end_is_not_binary():
    assert sniff(io.BytesIO("承诺书".encode("gbk"))) == "text"
    assert sniff(io.BytesIO(("汉" * 40_000).encode())) == "text"


@pytest.mark.parametrize("name, content, kinds, accepted", [
    ("承诺书.pdf", SAMPLES["pdf"], SIGNED_DOCUMENT, True),
    ("承诺书.ofd", SAMPLES["ofd"], SIGNED_DOCUMENT, True),
    ("扫描件.JPG", SAMPLES["jpeg"], SIGNED_DOCUMENT, True),
    ("承诺书.txt", b"hello", SIGNED_DOCUMENT, False),          # the case
    ("承诺书.pdf", b"hello", SIGNED_DOCUMENT, False),          # renamed text
    ("承诺书.pdf", SAMPLES[""], SIGNED_DOCUMENT, False),       # renamed program
    ("承诺书.docx", SAMPLES["docx"], SIGNED_DOCUMENT, False),  # editable, not signed
    ("说明.docx", SAMPLES["docx"], OFFICE_DOCUMENT, True),
    ("说明.docx", SAMPLES["zip"], OFFICE_DOCUMENT, False),     # a zip called docx
    ("报表.wps", SAMPLES["docx"], OFFICE_DOCUMENT, True),      # WPS in the OOXML container
    ("报表.xls", SAMPLES["ole"], OFFICE_DOCUMENT, True),
    ("材料.zip", SAMPLES["zip"], OFFICE_DOCUMENT, False),      # evidence takes no archives
    ("材料.zip", SAMPLES["zip"], ANY_ATTACHMENT, True),
    ("程序.exe", SAMPLES[""], ANY_ATTACHMENT, False),
    ("无扩展名", SAMPLES["pdf"], ANY_ATTACHMENT, False),
])
def test_document_check_matrix(name, content, kinds, accepted):
    upload = SimpleUploadedFile(name, content)
    if accepted:
        document_check(upload, field="file", kinds=kinds)
        assert upload.read() == content  # rewound for whoever stores it
    else:
        with pytest.raises(ValidationFailed) as refused:
            document_check(upload, field="file", kinds=kinds)
        [message] = refused.value.fields["file"]
        assert "请上传" in message


def test_the_refusal_says_what_the_content_really_is():
    with pytest.raises(ValidationFailed) as refused:
        document_check(SimpleUploadedFile("承诺书.pdf", b"hello"), field="f",
                       kinds=SIGNED_DOCUMENT)
    assert refused.value.fields["f"] == [
        "“承诺书.pdf”的内容是TXT/CSV，不是扩展名所示的文件。请上传 PDF、OFD、JPG、PNG 文件。"]


# -- the sharing application (S3) ---------------------------------------------------------

@pytest.mark.django_db
def test_s3_a_text_file_is_not_a_signed_commitment(people, conditional_resource):  # noqa: F811
    from tests.sharing.factories import make_request

    with pytest.raises(ValidationFailed) as refused:
        make_request(people.applicant_clerk, conditional_resource,
                     commitment_document=SimpleUploadedFile("承诺书.txt", b"hello"))
    assert "commitment_document" in refused.value.fields


@pytest.mark.django_db
def test_s3_a_bad_commitment_stored_earlier_blocks_submission(people,  # noqa: F811
                                                              conditional_resource):  # noqa: F811
    """A draft saved before content checks existed cannot be submitted with it."""
    from sharing.services.requests import request_submit
    from tests.sharing.factories import make_request

    draft = make_request(people.applicant_clerk, conditional_resource)
    draft.commitment_document.save("承诺书.pdf", ContentFile(b"hello"), save=True)
    with pytest.raises(ValidationFailed) as refused:
        request_submit(actor=people.applicant_admin, request=draft)
    assert "不是扩展名所示的文件" in refused.value.fields["commitment_document"][0]
    draft.refresh_from_db()
    assert draft.status == draft.Status.DRAFT

