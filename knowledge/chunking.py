"""Split documents into chunks with stable citation ids and metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from copilot.core.errors import InputError
from copilot.core.text import CJK, language_of
from knowledge.skips import Skip

MAX_CHARS = 900
OVERLAP_CHARS = 120


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage."""

    id: str
    """Stable citation id, e.g. ``brand-voice#tone`` or ``product:CT-0001``."""
    text: str
    metadata: dict[str, str | int | float] = field(default_factory=dict)


def slug(text: str) -> str:
    """A citation-friendly slug that keeps Chinese characters."""
    lowered = re.sub(r"[^\w\u3400-\u9fff]+", "-", text.lower()).strip("-")
    return lowered or "section"


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML front matter (between --- lines) and the remaining body."""
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end > 0:
            try:
                meta = yaml.safe_load(text[4:end]) or {}
            except yaml.YAMLError:
                meta = {}
            body = text[end + 4 :].lstrip("\n")
            return {str(k): str(v) for k, v in meta.items()}, body
    return {}, text


def split_text(text: str, max_chars: int = MAX_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Paragraph-packed pieces of at most ``max_chars`` with ``overlap`` characters carried over."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    pieces: list[str] = []
    current = ""
    for para in paragraphs:
        while len(para) > max_chars:  # a single huge paragraph: cut on sentence ends if possible
            cut = max(para.rfind(". ", 0, max_chars), para.rfind("。", 0, max_chars))
            cut = cut + 1 if cut > max_chars // 2 else max_chars
            pieces.append((current + "\n\n" + para[:cut]).strip() if current else para[:cut])
            current = ""
            para = para[max(cut - overlap, 0) :]
        if current and len(current) + len(para) + 2 > max_chars:
            pieces.append(current)
            current = current[-overlap:] + "\n\n" + para if overlap else para
        else:
            current = f"{current}\n\n{para}" if current else para
    if current:
        pieces.append(current)
    return pieces


_FENCE = re.compile(r"^\s*(```|~~~)")
_BLOCK_LINE = re.compile(r"^\s*([-*+>|]|\d+[.)]|```|~~~)")
"""Lines that start a block of their own: list items, quotes, table rows, code fences."""


def join_soft_breaks(text: str) -> str:
    r"""Markdown's wrapped lines joined back into one line per paragraph, as a reader sees
    them: a fact wrapped across lines ("需在\n14 天内") reads as one phrase to the model and the
    embedder. List items, quotes, table rows, code blocks and hard breaks (two trailing
    spaces) stay."""
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        fenced = fenced != bool(_FENCE.match(line))  # a fence opens or closes a code block
        previous = out[-1] if out else ""
        joinable = (
            not fenced
            and previous.strip()
            and line.strip()
            and not _BLOCK_LINE.match(line)
            and not previous.endswith("  ")
            and not _BLOCK_LINE.match(previous)
        )
        if joinable:
            left, right = previous.rstrip(), line.lstrip()
            cjk = CJK.match(left[-1]) or CJK.match(right[0])
            out[-1] = left + ("" if cjk else " ") + right
        else:
            out.append(line)
    return "\n".join(out)


def markdown_chunks(doc_id: str, text: str, base_meta: dict[str, str | int | float]) -> list[Chunk]:
    """Heading-aware chunks: each section (with its heading path) split with overlap."""
    meta, body = front_matter(text)
    # A document's title is what it calls itself (front matter, else its first heading), not
    # its file name.
    heading = re.search(r"^#{1,2}\s+(.+?)[\s#]*$", body, re.MULTILINE)
    title = meta.get("title") or (heading.group(1).strip() if heading else doc_id)
    language = meta.get("language") or language_of(body)
    common = {
        **base_meta,
        "title": title,
        "type": meta.get("type", "guide"),
        "language": language,
        "doc_id": doc_id,
    }
    for key in ("date", "campaign_id", "sku"):
        if key in meta:
            common[key] = meta[key]
    sections: list[tuple[list[str], str]] = []
    path: list[str] = []
    lines: list[str] = []
    for line in body.splitlines():
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            if "".join(lines).strip():
                sections.append((list(path), "\n".join(lines)))
            level = len(heading.group(1))
            path = path[: level - 1] + [heading.group(2).strip()]
            lines = []
        else:
            lines.append(line)
    if "".join(lines).strip():
        sections.append((list(path), "\n".join(lines)))
    chunks: list[Chunk] = []
    ids: set[str] = set()
    for heading_path, section in sections:
        anchor = slug(heading_path[-1]) if len(heading_path) > 1 else "intro"
        for piece in split_text(join_soft_breaks(section)):
            # The n-th piece under an anchor is "anchor-n"; a heading that itself reads
            # "Tone 2" must not take the id of the second "Tone" piece.
            cid, n = f"{doc_id}#{anchor}", 1
            while cid in ids:
                n += 1
                cid = f"{doc_id}#{anchor}-{n}"
            ids.add(cid)
            context = " > ".join([title, *heading_path[1:]])
            chunks.append(
                Chunk(cid, f"{context}\n{piece}", {**common, "heading": " > ".join(heading_path)})
            )
    return chunks


TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
"""Tried in order: UTF-8 (with or without a byte-order mark), then the Chinese national
encoding that Windows editors in China save by default (a superset of GBK and GB2312)."""


class DocumentError(InputError):
    """A document that cannot be indexed, with the reason as a code (its words in both
    languages)."""

    def __init__(self, path: Path, skip: Skip) -> None:
        super().__init__(f"{path}: {skip.text()}")
        self.skip = skip


def read_text(path: Path) -> str:
    """A text file decoded with the first encoding that fits, or a DocumentError."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode" is UTF-16
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in TEXT_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(path, Skip("not_text"))


def file_chunks(path: Path, base_meta: dict[str, str | int | float]) -> list[Chunk]:
    """Chunks of a Markdown, text or PDF file."""
    doc_id = path.name.removesuffix(path.suffix)
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown", ".txt"):
        return markdown_chunks(doc_id, read_text(path), base_meta)
    if suffix == ".pdf":
        from pypdf import PdfReader

        try:
            pages = [p.extract_text() or "" for p in PdfReader(path).pages]
        except Exception as exc:  # pypdf raises many types on damaged or encrypted files
            raise DocumentError(path, Skip("bad_pdf", f"{type(exc).__name__}: {exc}")) from exc
        body = "\n\n".join(f"## Page {i + 1}\n\n{t}" for i, t in enumerate(pages) if t.strip())
        return markdown_chunks(doc_id, f"# {doc_id}\n\n{body}", {**base_meta})
    raise DocumentError(path, Skip("unsupported", repr(suffix)))
