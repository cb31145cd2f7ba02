"""Hardening (issue 17): documents that stay data when indexed.

Links out of the indexed folder are not followed, same-named files are separate sources with
their own citation ids, and one unreadable file is reported and skipped instead of ending the
run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.core.settings import Settings
from knowledge.chunking import Chunk, file_chunks, markdown_chunks
from knowledge.sources import Source, file_sources
from knowledge.store import IndexSummary, KnowledgeStore

POLICY = "# Return policy\n\n## Return window\n\n{}\n"


def _store(tmp_path: Path) -> KnowledgeStore:
    return KnowledgeStore(Settings(home=tmp_path / "home"))


def _index(store: KnowledgeStore, *folders: Path) -> IndexSummary:
    sources = [s for folder in folders for s in file_sources(folder)]
    return store.index(sources, {str(f.resolve()) for f in folders})


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _all_text(store: KnowledgeStore) -> str:
    return "\n".join(store._get_all(["documents"])["documents"])


def test_links_out_of_the_indexed_folder_are_skipped_and_reported(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    secret = _write(outside / "secret.md", "# Vault\n\nThe vault code is 4711.\n")
    _write(outside / "private" / "plan.md", "# Plan\n\nMerger with Globex in May.\n")
    docs = tmp_path / "docs"
    _write(docs / "guide.md", "# Guide\n\n## Tone\n\nWrite warmly.\n")
    _write(docs / "sub" / "real.md", "# Real\n\n## Care\n\nWash linen at 30 degrees.\n")
    (docs / "passwd.md").symlink_to(secret)
    (docs / "private").symlink_to(outside / "private", target_is_directory=True)
    (docs / "again.md").symlink_to(docs / "sub" / "real.md")  # inside: fine, indexed once
    (docs / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    store = _store(tmp_path)
    root = str(docs.resolve())
    # What an earlier version indexed through the link: it goes on the next run.
    key = str(secret.resolve())
    store.index(
        [Source(key, root, "old", file_chunks(secret, {"source": key, "root": root}))], {root}
    )
    assert "4711" in _all_text(store)

    summary = _index(store, docs)

    skipped = {name: why.code for name, why in summary.skipped}
    assert skipped == {
        "passwd.md": "link_outside",
        "private": "link_outside",
        "dangling.md": "broken_link",
    }
    assert summary.added == 2 and summary.deleted == 1
    assert "skipped passwd.md: a link to" in summary.line()
    text = _all_text(store)
    assert "4711" not in text and "Globex" not in text
    assert text.count("Wash linen") == 1
    assert {r["source"] for r in store.sources()} == {
        str(docs.resolve() / "guide.md"),
        str(docs.resolve() / "sub" / "real.md"),
    }


def test_a_users_file_named_like_a_demo_file_is_its_own_searchable_source(
    tmp_path: Path,
) -> None:
    demo = tmp_path / "demo"
    _write(demo / "returns-policy.md", POLICY.format("Returns are accepted within 30 days."))
    mine = tmp_path / "mine"
    _write(mine / "returns-policy.md", POLICY.format("Refunds as store credit for 90 days."))
    store = _store(tmp_path)
    _index(store, demo)

    summary = _index(store, mine)

    assert summary.added == 1 and summary.chunks == 1 and store.count() == 2
    demo_hit = store.passage("returns-policy#return-window")
    assert demo_hit is not None and "30 days" in demo_hit.text  # demo citations stay
    hit = store.search("store credit refunds 90 days", limit=1, mode="keyword")[0]
    assert "90 days" in hit.text and hit.source == str(mine.resolve() / "returns-policy.md")
    assert hit.citation.startswith("returns-policy-") and hit.citation.endswith("#return-window")
    # Stable: nothing to do on the next runs, and the ids stay.
    assert _index(store, mine).unchanged == 1 and _index(store, demo).unchanged == 1
    assert store.passage(hit.citation) is not None
    again = _index(store, demo, mine)
    assert again.unchanged == 2 and again.chunks == 0


def test_two_same_named_files_in_one_run_get_ids_independent_of_order(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    first = _write(docs / "a" / "returns-policy.md", POLICY.format("Within 30 days."))
    second = _write(docs / "b" / "returns-policy.md", POLICY.format("Within 60 days."))
    ids = []
    for n, order in enumerate([(first, second), (second, first)]):
        store = KnowledgeStore(Settings(home=tmp_path / f"home{n}"))
        sources = [s for path in order for s in file_sources(path)]
        summary = store.index(sources, {str(p.resolve()) for p in order})
        assert summary.added == 2 and store.count() == 2
        by_text = {h.text.split("\n")[-1]: h.citation for h in store.search("within days")}
        ids.append(by_text)
    assert ids[0] == ids[1]
    assert ids[0]["Within 30 days."] == "returns-policy#return-window"  # a/ sorts first
    assert ids[0]["Within 60 days."].startswith("returns-policy-")


def test_duplicate_chunk_ids_in_one_call_never_reach_chroma(tmp_path: Path) -> None:
    text = "# Guide\n\n## Tone\n\nOne.\n\n## Tone\n\nTwo.\n\n## Tone 2\n\nThree.\n"
    chunk_ids = [c.id for c in markdown_chunks("guide", text, {})]
    assert len(set(chunk_ids)) == 3  # "Tone 2" does not take the second "Tone"'s id

    def source(key: str, *ids: str) -> Source:
        meta: dict[str, str | int | float] = {"source": key, "root": "test"}
        return Source(key, "test", key, [Chunk(i, f"{key} {n}", meta) for n, i in enumerate(ids)])

    store = _store(tmp_path)
    summary = store.index([source("x", "doc#a", "doc#a"), source("y", "doc#a")], {"test"})
    assert summary.chunks == store.count() == 3
    assert len(set(store._get_all([])["ids"])) == 3


def test_one_unreadable_file_is_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _write(docs / "good.md", "# Good\n\n## Care\n\nWash linen at 30 degrees.\n")
    (docs / "broken.pdf").write_bytes(b"this is not a pdf")
    (docs / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    (docs / "gbk.md").write_bytes("# 退货\n\n## 时限\n\n签收后三十天内可退货。\n".encode("gb18030"))
    (docs / "bom.md").write_bytes(
        "---\ntitle: Marked\n---\n# Marked\n\nByte order mark.\n".encode("utf-8-sig")
    )
    (docs / "utf16.txt").write_bytes("# Notepad\n\nSaved as Unicode.\n".encode("utf-16"))
    (docs / "empty.md").write_text("", encoding="utf-8")
    store = _store(tmp_path)

    summary = _index(store, docs)

    assert summary.added == 4
    assert [name for name, _ in summary.skipped] == ["broken.pdf", "empty.md", "latin.txt"]
    reasons = {name: why.code for name, why in summary.skipped}
    assert reasons == {"broken.pdf": "bad_pdf", "latin.txt": "not_text", "empty.md": "no_text"}
    line = summary.line()
    assert "skipped broken.pdf: not a readable PDF" in line and "skipped latin.txt" in line
    assert store.search("三十天内可退货", limit=1, mode="keyword")[0].citation == "gbk#时限"
    # Titled by their first heading (or front matter), not their file names.
    assert {r["title"] for r in store.sources()} == {"Good", "退货", "Marked", "Notepad"}
    assert "Saved as Unicode." in _all_text(store)


def test_the_cli_prints_the_skipped_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from copilot.cli import main

    docs = tmp_path / "docs"
    _write(docs / "good.md", "# Good\n\nWash linen at 30 degrees.\n")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    assert main(["index", str(docs), "--no-shop", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "sources: 1 added" in out and "skipped broken.pdf: not a readable PDF" in out


def test_the_upload_panel_shows_skipped_files_and_does_not_keep_them(
    tmp_path: Path, settings: Settings
) -> None:
    from copilot.ui.knowledge_tab import UPLOADS, index_uploads
    from copilot.ui.runtime import Runtime

    runtime = Runtime(settings)
    good = _write(tmp_path / "care.md", "# Care guide\n\n## Linen\n\nWash linen at 30 degrees.\n")
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"not a pdf at all")

    report = index_uploads(runtime, [good, bad], "en")

    head, *rest = report.split("\n")
    assert head.startswith("⚠ Documents: 1 added")
    assert len(rest) == 1 and rest[0].startswith("- scan.pdf not indexed: not a readable PDF")
    again = index_uploads(runtime, [bad], "zh")
    assert again.split("\n")[1].startswith("- scan.pdf 未索引：无法读取的 PDF（"), again
    assert str(tmp_path) not in report
    kept = sorted(p.name for p in (settings.home_dir / UPLOADS).iterdir())
    assert kept == ["care.md"]
    assert runtime.knowledge().search("linen", limit=1)[0].citation == "care#linen"
