"""Checks for files people attach in sharing (commitments, evidence, messages): size
here, content by ``portal.uploads``."""

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from portal.errors import ValidationFailed
from portal.uploads import ANY_ATTACHMENT, document_check

from .conf import sharing_setting


def max_upload_bytes() -> int:
    return sharing_setting("ATTACHMENT_MAX_MB") * 1024 * 1024


def upload_validate(upload: UploadedFile, *, field: str,
                    kinds: frozenset[str] = ANY_ATTACHMENT) -> None:
    """Refuse files too large, or whose content is not one of ``kinds`` (signed
    commitments: ``SIGNED_DOCUMENT``) or does not match their extension."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationFailed(_("文件过大。"), fields={field: [
            _("文件不能超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)}]})
    document_check(upload, field=field, kinds=kinds)
