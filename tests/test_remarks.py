"""The coded remarks of an ingest and the skip reasons of the knowledge index: every code has
words in English and Chinese that state the same values."""

from __future__ import annotations

import re
import string
from typing import get_args

from copilot.shop.remarks import Remark, RemarkCode
from knowledge.skips import Skip, SkipCode


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_is_worded_in_both_languages_with_the_same_values() -> None:
    for code in get_args(RemarkCode):
        remark = Remark(code, column="Price", value="gbk")
        en, zh = remark.text("en"), remark.text("zh")
        assert en != zh and re.search(r"[\u4e00-\u9fff]", zh), code
        for shown in ("'Price'", "gbk"):
            assert (shown in en) == (shown in zh), (code, shown)
    for skip_code in get_args(SkipCode):
        skip = Skip(skip_code, detail="/srv/docs/x.md")
        en, zh = skip.text("en"), skip.text("zh")
        assert en != zh and re.search(r"[\u4e00-\u9fff]", zh), skip_code
        assert ("/srv/docs/x.md" in en) == ("/srv/docs/x.md" in zh), skip_code


def test_the_catalogues_hold_exactly_the_codes() -> None:
    from copilot.shop import remarks
    from knowledge import skips

    assert set(remarks._WORDS) == set(get_args(RemarkCode))
    assert set(skips._WORDS) == set(get_args(SkipCode))
    for words in [*remarks._WORDS.values(), *skips._WORDS.values()]:
        assert _fields(words[0]) == _fields(words[1]), words
