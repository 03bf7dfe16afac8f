"""Finding a text file's encoding, and the lines that are not in it.

DuckDB cannot read GBK here (its encodings extension cannot be downloaded), so text is decoded in
Python: strict UTF-8 (a BOM is dropped) or GB18030, a superset of GBK that Excel on Chinese
Windows writes. A file can mix both (rows pasted from two exports): each line is classified on
its own, the file's encoding is the one most of its non-ASCII lines are valid in, and a line that
is not valid in it is reported so the reader can quarantine it with its bytes shown, instead of
decoding it into mojibake (GBK bytes read as UTF-8 replacement characters, or UTF-8 bytes read as
GB18030 nonsense, which decodes without error).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from unionflow.sources.rows import malformed

BOM = codecs.BOM_UTF8
BLOCK = 1 << 22


@dataclass(frozen=True)
class FileEncoding:
    """A file's encoding and the (1-based) physical lines that are not valid in it."""

    encoding: str  # "utf-8", "utf-8-sig", "gb18030" or "utf-16" (with its BOM)
    bad_lines: frozenset[int] = field(default_factory=frozenset)

    @property
    def label(self) -> str:
        """The encoding as recorded for the file (with the lines that are not in it, if any)."""
        if not self.bad_lines:
            return self.encoding
        return f"{self.encoding} ({len(self.bad_lines)} lines in another encoding)"


def iter_byte_lines(path: Path) -> Iterator[bytes]:
    """The physical lines of a file as bytes, ends kept, split like universal newlines
    (\\n, \\r\\n or a lone \\r), streamed in blocks."""
    leftover = b""
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            lines = (leftover + block).splitlines(keepends=True)
            # The last line may continue in the next block (also a \r whose \n is still to come).
            leftover = lines.pop() if lines and not lines[-1].endswith(b"\n") else b""
            yield from lines
    if leftover:
        yield leftover


def _whole_file_is(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(BLOCK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _line_class(line: bytes) -> str:
    if line.isascii():
        return "ascii"
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Non-ASCII GBK text is almost never valid UTF-8, so a valid line is UTF-8.
        return "utf-8"
    try:
        line.decode("gb18030")
    except UnicodeDecodeError:
        return "neither"
    return "gb18030"


def detect(path: Path) -> FileEncoding:
    """The encoding of a text file and the lines not valid in it.

    A clean UTF-8 file costs one streaming decode in C; any other file (GBK, or mixed) is
    classified line by line, because UTF-8 lines inside a GBK file decode as GB18030 too.
    """
    with path.open("rb") as handle:
        start = handle.read(len(BOM))
    bom = start == BOM
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) and _whole_file_is(path, "utf-16"):
        return FileEncoding("utf-16")  # Excel's "Unicode text"; its BOM says so
    if _whole_file_is(path, "utf-8-sig"):
        return FileEncoding("utf-8-sig" if bom else "utf-8")
    classes: dict[int, str] = {}
    counts = {"utf-8": 0, "gb18030": 0}
    for number, line in enumerate(iter_byte_lines(path), start=1):
        if number == 1 and bom:
            line = line[len(BOM) :]
        kind = _line_class(line)
        if kind != "ascii":
            classes[number] = kind
            if kind in counts:
                counts[kind] += 1
    if bom or counts["utf-8"] >= counts["gb18030"]:
        encoding = "utf-8-sig" if bom else "utf-8"
        bad = frozenset(n for n, kind in classes.items() if kind != "utf-8")
    else:
        encoding = "gb18030"
        bad = frozenset(n for n, kind in classes.items() if kind != "gb18030")
    return FileEncoding(encoding, bad)


def shown(line: bytes) -> str:
    """A line's bytes as ASCII text with every other byte escaped (\\xd6), for a steward to see."""
    return line.decode("ascii", errors="backslashreplace")


def foreign_bytes(encoding: FileEncoding, text: str) -> str:
    """The malformed payload of lines not valid in the file's encoding (their bytes `shown`)."""
    return malformed(
        f"the bytes are not valid {encoding.encoding.removesuffix('-sig')} text, the encoding of the "
        "rest of the file "
        "(another encoding pasted in?); they are shown escaped (\\xd6) instead of being decoded "
        "into wrong characters",
        _text=text,
    )


def iter_text_lines(path: Path, detected: FileEncoding) -> Iterator[str]:
    """The file's physical lines as text; a line not in the file's encoding comes as `shown`."""
    if not detected.bad_lines:
        # newline="" keeps line ends as they are and splits exactly like `iter_byte_lines`.
        with path.open(encoding=detected.encoding, newline="") as handle:
            yield from handle
        return
    bad = detected.bad_lines
    encoding = "utf-8" if detected.encoding == "utf-8-sig" else detected.encoding
    for number, line in enumerate(iter_byte_lines(path), start=1):
        if number == 1 and line.startswith(BOM):
            line = line[len(BOM) :]
        yield shown(line) if number in bad else line.decode(encoding)


def decode_text(data: bytes) -> str:
    """Decode a whole small file: UTF-8 (with or without BOM), else GB18030, else with its
    undecodable bytes shown escaped (never replaced, so nothing is lost from view)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="backslashreplace")
