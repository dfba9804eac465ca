"""Text encodings of uploads: UTF-8 (with or without BOM), GBK/GB18030, UTF-16 with BOM.

Detection and transcoding are streaming (fixed-size chunks through incremental codecs),
so a file of any size is checked in constant memory. A file that is valid UTF-8 is used
as it is; anything else is transcoded once into a UTF-8 copy.
"""

import codecs
from pathlib import Path

CHUNK = 1 << 20

# What the upload form offers; "auto" detects.
ENCODINGS = ("auto", "utf-8", "gbk", "utf-16")


class EncodingProblem(ValueError):
    """The file is not in a supported encoding; the message is for the user (Chinese)."""


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _valid_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _transcode(source: Path, target: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            while chunk := src.read(CHUNK):
                dst.write(decoder.decode(chunk).encode("utf-8"))
                offset += len(chunk)
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError as exc:
            raise EncodingProblem(
                f"文件不是 {encoding.upper()} 编码（第 {offset + exc.start + 1} 字节无法识别），"
                "请另存为 UTF-8 或 GBK 编码后重新上传。"
            ) from None


def to_utf8(source: Path, work_dir: Path, declared: str = "auto", *,
            strip_bom: bool = False) -> tuple[Path, str]:
    """Return a UTF-8 path for ``source`` and the encoding it was found in.

    The returned path is ``source`` itself when no conversion was needed. A UTF-8 BOM is
    left in place (CSV headers are read as ``utf-8-sig``) unless ``strip_bom``.
    """
    with source.open("rb") as handle:
        head = handle.read(4)
    bom = _bom_encoding(head)
    target = work_dir / "utf8.txt"
    if bom == "utf-16" or declared == "utf-16":
        _transcode(source, target, "utf-16")
        return target, "utf-16"
    if bom == "utf-8-sig":
        if not strip_bom:
            if not _valid_utf8(source):
                raise EncodingProblem("文件带 UTF-8 标记但内容不是 UTF-8 编码，请检查文件编码。")
            return source, "utf-8-sig"
        _transcode(source, target, "utf-8-sig")
        return target, "utf-8-sig"
    if declared == "gbk":
        _transcode(source, target, "gb18030")
        return target, "gbk"
    if _valid_utf8(source):
        return source, "utf-8"
    if declared == "utf-8":
        raise EncodingProblem("文件不是 UTF-8 编码，请选择“GBK”或“自动识别”后重新上传。")
    # GB18030 is a superset of GBK and GB2312, the encodings Chinese spreadsheets save in.
    _transcode(source, target, "gb18030")
    return target, "gbk"
