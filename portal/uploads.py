"""Documents people attach, judged by their content (P2, 等保 file upload control).

``document_check(upload, field=…, kinds=…)`` reads the start of the file (and, for a zip
container, its table of contents) to find what it really is — PDF, OFD, image, Word,
Excel, WPS/legacy Office, zip, plain text — and refuses it unless that kind is one the
purpose accepts *and* the file name's extension names the same kind. A "signed
commitment" must be a document that can carry a seal and signature (PDF, OFD or a scan);
a text file called ``承诺书.pdf``, or ``hello`` called ``承诺书.txt``, is refused with a
message saying what to upload.

Every app's upload rule uses this one check with its own set of kinds.
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Iterable
from pathlib import PurePath

from django.core.files import File
from django.utils.translation import gettext as _

from portal.errors import ValidationFailed

PDF, OFD, JPEG, PNG = "pdf", "ofd", "jpeg", "png"
DOCX, XLSX, OLE, ZIP, TEXT = "docx", "xlsx", "ole", "zip", "text"

# What each extension must contain.
EXTENSION_KINDS = {
    ".pdf": PDF, ".ofd": OFD, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG,
    ".docx": DOCX, ".xlsx": XLSX, ".doc": OLE, ".xls": OLE, ".wps": OLE, ".et": OLE,
    ".zip": ZIP, ".txt": TEXT, ".csv": TEXT,
}
# WPS saves .wps / .et in the OOXML container too.
ALSO = {".wps": {DOCX}, ".et": {XLSX}}

KIND_NAMES = {
    PDF: "PDF", OFD: "OFD", JPEG: "JPG", PNG: "PNG", DOCX: "Word（.docx）",
    XLSX: "Excel（.xlsx）", OLE: "Word/Excel/WPS（.doc/.xls/.wps/.et）", ZIP: "ZIP",
    TEXT: "TXT/CSV",
}

# Purposes.
SIGNED_DOCUMENT = frozenset({PDF, OFD, JPEG, PNG})
OFFICE_DOCUMENT = frozenset({PDF, OFD, JPEG, PNG, DOCX, XLSX, OLE, TEXT})
ANY_ATTACHMENT = frozenset({*OFFICE_DOCUMENT, ZIP})

HEAD = 64 * 1024
ZIP_MAX_ENTRIES = 10_000


def _zip_kind(stream) -> str:
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                return ""
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        return ""
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return DOCX
        if any(n.startswith("xl/") for n in names):
            return XLSX
    return ZIP


def _text(head: bytes) -> bool:
    if not head.strip() or b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # A multi-byte character cut at the end of the sample is not an error.
            codecs.getincrementaldecoder(encoding)().decode(head, final=len(head) < HEAD)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(stream) -> str:
    """The kind of the file's content ("" when unknown); the stream is rewound."""
    stream.seek(0)
    head = stream.read(HEAD)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            return OLE
        if head.startswith(b"PK\x03\x04"):
            stream.seek(0)
            return _zip_kind(stream)
        return TEXT if _text(head) else ""
    finally:
        stream.seek(0)


def kinds_label(kinds: Iterable[str]) -> str:
    order = [PDF, OFD, JPEG, PNG, DOCX, XLSX, OLE, TEXT, ZIP]
    return "、".join(KIND_NAMES[k] for k in order if k in kinds)


def document_problem(name: str, stream, kinds: frozenset[str]) -> str:
    """Why the file ``name`` with content ``stream`` is refused for ``kinds`` ("" if
    it is not)."""
    extension = PurePath(name or "").suffix.lower()
    expected = EXTENSION_KINDS.get(extension)
    accepted = _("请上传 %(kinds)s 文件。") % {"kinds": kinds_label(kinds)}
    if expected is None or not ({expected} | ALSO.get(extension, set())) & kinds:
        return _("“%(name)s”的类型不支持。%(accepted)s") % {
            "name": PurePath(name or "").name, "accepted": accepted}
    actual = sniff(stream)
    if actual != expected and actual not in ALSO.get(extension, set()):
        what = KIND_NAMES.get(actual, _("无法识别的内容"))
        return _("“%(name)s”的内容是%(what)s，不是扩展名所示的文件。%(accepted)s") % {
            "name": PurePath(name).name, "what": what, "accepted": accepted}
    return ""


def document_check(upload: File, *, field: str, kinds: frozenset[str]) -> None:
    """Refuse ``upload`` unless its content is one of ``kinds`` and its extension agrees."""
    problem = document_problem(upload.name or "", upload, kinds)
    if problem:
        raise ValidationFailed(problem, fields={field: [problem]})


def stored_document_problem(stored, kinds: frozenset[str]) -> str:
    """``document_problem`` for a file already in storage (a ``FieldFile``), e.g. one
    uploaded before these checks existed."""
    try:
        with stored.open("rb") as stream:
            return document_problem(stored.name, stream, kinds)
    except (FileNotFoundError, OSError):
        return _("文件“%(name)s”已不存在，请重新上传。") % {"name": PurePath(stored.name).name}
