"""Facts about a landing file gathered in one streaming pass: size, sha256 and text encoding."""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class FileFacts:
    size: int
    sha256: str
    encoding: str  # 'utf-8' or 'latin-1' for delimited files; 'xlsx' for workbooks, 'xml' for XML (it says its own)


def file_facts(path: Path, kind: str) -> FileFacts:
    """Hash the file in 1 MiB chunks; a delimited file (kind) is also validated as strict UTF-8.

    The first invalid byte settles it as Latin-1 (every byte is a valid Latin-1 character, so no row is
    ever lost to decoding; Windows-1252 punctuation lands as C1 control characters).
    """
    check_text = kind == "delimited"
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict") if check_text else None
    encoding = "utf-8" if check_text else kind
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            size += len(chunk)
            digest.update(chunk)
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    decoder, encoding = None, "latin-1"
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "latin-1"
    return FileFacts(size=size, sha256=digest.hexdigest(), encoding=encoding)
