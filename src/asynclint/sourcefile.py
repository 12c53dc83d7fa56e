"""Turning a file's bytes into text the way Python itself would (PEP 263 and the UTF-8 BOM),
and remembering what is needed to write it back unchanged apart from fixes."""

from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass

# Files this large are almost always generated; parsing them would dominate a run.
MAX_FILE_BYTES = 10 * 1024 * 1024


class UncheckableSource(Exception):
    """The bytes cannot be read as Python source; the message says why, for a person."""


@dataclass(frozen=True, slots=True)
class DecodedSource:
    text: str  # without the BOM
    encoding: str  # the codec to write it back with
    bom: bool


def decode(data: bytes) -> DecodedSource:
    if len(data) > MAX_FILE_BYTES:
        raise UncheckableSource(
            f"file is {len(data) // (1024 * 1024)} MiB, over the {MAX_FILE_BYTES // (1024 * 1024)}"
            " MiB limit for source files; exclude it if it is generated"
        )
    if b"\0" in data:
        raise UncheckableSource("binary file (contains NUL bytes), not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # an unknown codec in the coding cookie, or a BOM/cookie clash
        raise UncheckableSource(f"cannot determine the file's encoding: {exc.msg}") from exc
    bom = encoding == "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UncheckableSource(
            f"cannot decode line {line} as {codecs.lookup(encoding).name}: {exc.reason}"
            f" (byte 0x{data[exc.start]:02x}); declare the encoding with a PEP 263 comment"
        ) from exc
    if bom:
        encoding = "utf-8"
    return DecodedSource(text, encoding, bom)
