"""Why a document was not indexed, as a code with its words in English (the CLI) and Chinese
(a Chinese page); ``detail`` carries what the system said (a file name, an OS error)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SkipCode = Literal[
    "not_text",
    "bad_pdf",
    "unsupported",
    "no_text",
    "no_text_pdf",
    "unreadable",
    "folder_unreadable",
    "broken_link",
    "link_outside",
]

_WORDS: dict[str, tuple[str, str]] = {
    "not_text": (
        "not UTF-8, UTF-16 or GB18030 text; save it as UTF-8",
        "不是 UTF-8、UTF-16 或 GB18030 文本；请另存为 UTF-8",
    ),
    "bad_pdf": ("not a readable PDF ({detail})", "无法读取的 PDF（{detail}）"),
    "unsupported": (
        "unsupported document type {detail}; expected .md, .txt or .pdf",
        "不支持的文档类型 {detail}；请用 .md、.txt 或 .pdf",
    ),
    "no_text": ("no text to index", "没有可索引的文字"),
    "no_text_pdf": (
        "no text to index (scanned pages need OCR first)",
        "没有可索引的文字（扫描页需要先做文字识别）",
    ),
    "unreadable": ("cannot be read ({detail})", "无法读取（{detail}）"),
    "folder_unreadable": (
        "a folder that cannot be read ({detail})",
        "无法读取的文件夹（{detail}）",
    ),
    "broken_link": ("a broken link (to {detail})", "失效的链接（指向 {detail}）"),
    "link_outside": (
        "a link to {detail}, outside the indexed folder",
        "指向 {detail} 的链接，在索引的文件夹之外",
    ),
}


@dataclass(frozen=True)
class Skip:
    """Why one document is not indexed."""

    code: SkipCode
    detail: str = ""

    def text(self, lang: str = "en") -> str:
        """The reason in English or Chinese (``zh``)."""
        en, zh = _WORDS[self.code]
        return (zh if lang == "zh" else en).format(detail=self.detail)
