"""Turning a file's bytes into text the way Python itself would (PEP 263 and the UTF-8 BOM),
and remembering what is needed to write it back unchanged apart from fixes."""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass

# Files this large are almost always generated; parsing them would dominate a run.
MAX_FILE_BYTES = 10 * 1024 * 1024


class UncheckableSource(Exception):
    """The bytes cannot be read as Python source; the message says why, for a person, and
    `line` where (1-based)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class DecodedSource:
    text: str  # without the BOM
    encoding: str  # the codec to write it back with
    bom: bool


# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

# tokenize.detect_encoding's complaint when a line before any cookie is not UTF-8: the decode
# below says which line and byte, which helps more.
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_NOT_UTF8_BEFORE_COOKIE = "invalid or missing encoding declaration"


def decode(data: bytes) -> DecodedSource:
    if len(data) > MAX_FILE_BYTES:
        # In bytes: "10 MiB, over the 10 MiB limit" would not say why.
        raise UncheckableSource(
            f"file is {len(data):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for source"
            " files; exclude it if it is generated"
        )
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            # Python refuses to run such a file (its NUL bytes), so asynclint does not guess.
            raise UncheckableSource(
                f"file is {name} encoded (it starts with a {name} byte-order mark);"
                " asynclint reads UTF-8 and PEP 263 encodings, as Python does"
            )
    if b"\0" in data:
        raise UncheckableSource("binary file (contains NUL bytes), not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # an unknown codec in the coding cookie, or a BOM/cookie clash
        if not exc.msg.startswith(_NOT_UTF8_BEFORE_COOKIE):
            raise UncheckableSource(f"cannot determine the file's encoding: {exc.msg}") from exc
        encoding = "utf-8"
    bom = encoding == "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        # Lines end where Python ends them: at \r\n, \r or \n (a file may use \r alone).
        line = len(_LINE_BREAK.findall(data[: exc.start])) + 1
        raise UncheckableSource(
            f"cannot decode line {line} as {codecs.lookup(encoding).name}: {exc.reason}"
            f" (byte 0x{data[exc.start]:02x}); declare the encoding with a PEP 263 comment",
            line,
        ) from exc
    except LookupError as exc:
        # A cookie naming a codec that is not a text encoding (`# coding: rot13`, `hex`):
        # detect_encoding accepts it, bytes.decode refuses it, and so does Python.
        raise UncheckableSource(f"cannot decode the file: {exc}") from exc
    if bom:
        encoding = "utf-8"
    return DecodedSource(text, encoding, bom)
