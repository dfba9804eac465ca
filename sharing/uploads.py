"""Checks for files people attach in sharing (commitments, evidence, messages)."""

import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from portal.errors import ValidationFailed

ALLOWED_EXTENSIONS = {".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".wps",
                      ".xlsx", ".xls", ".csv", ".txt", ".zip"}
# Magic numbers of the binary formats above; text formats are checked for NUL bytes.
_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".ofd": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".wps": (b"\xd0\xcf\x11\xe0", b"PK\x03\x04"),
}


def max_upload_bytes() -> int:
    return settings.SHARING_PIPELINE["attachment_max_mb"] * 1024 * 1024


def upload_validate(upload: UploadedFile, *, field: str) -> None:
    """Refuse files too large, of an unexpected type, or whose content does not match."""
    ext = os.path.splitext(upload.name or "")[1].lower()
    limit = max_upload_bytes()
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationFailed(_("不支持的文件类型。"), fields={field: [
            _("请上传 PDF、OFD、图片、Office 文档、CSV、TXT 或 ZIP 文件。")]})
    if upload.size is not None and upload.size > limit:
        raise ValidationFailed(_("文件过大。"), fields={field: [
            _("文件不能超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)}]})
    head = upload.read(8)
    upload.seek(0)
    signatures = _SIGNATURES.get(ext)
    if signatures is not None and not head.startswith(signatures):
        raise ValidationFailed(_("文件内容与扩展名不符。"), fields={field: [
            _("文件内容与扩展名不符，请上传原始文件。")]})
    if signatures is None and b"\x00" in head:
        raise ValidationFailed(_("文件内容与扩展名不符。"), fields={field: [
            _("文件内容与扩展名不符，请上传原始文件。")]})
