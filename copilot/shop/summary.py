"""What one ingest read, kept, dropped and wrote, as the CLI and the data tab show it."""

from __future__ import annotations

from dataclasses import dataclass, field

from copilot.shop.remarks import Remark
from copilot.shop.writes import TableChange


@dataclass
class IngestSummary:
    """What an ingest read, kept, dropped (per reason) and wrote."""

    source: str
    kind: str
    format: str
    rows_read: int
    rows_kept: int
    dropped: dict[Remark, int] = field(default_factory=dict)
    notes: dict[Remark, int] = field(default_factory=dict)
    already_ingested: bool = False
    seconds: float = 0.0
    store_counts: dict[str, int] = field(default_factory=dict)
    ingest_id: int | None = None
    changes: dict[str, TableChange] = field(default_factory=dict)
    dry_run: bool = False

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        if self.already_ingested:
            head = f"{self.source}: already ingested (same content); nothing changed"
        elif self.dry_run:
            head = (
                f"dry run of {self.source} as {self.kind} (format {self.format}): nothing written"
            )
        else:
            head = (
                f"ingested {self.source} as {self.kind} (format {self.format}) "
                f"in {self.seconds:.1f} s as ingest {self.ingest_id} "
                f"(undo with `copilot undo-ingest {self.ingest_id}`)"
            )
        out = [head, f"  rows read: {self.rows_read:,}", f"  rows kept: {self.rows_kept:,}"]
        out += [f"  dropped, {reason.text()}: {n:,}" for reason, n in self.dropped.items()]
        out += [f"  {note.text()}: {n:,}" for note, n in self.notes.items()]
        verb = "would be" if self.dry_run else ""
        for name, change in self.changes.items():
            out.append(
                f"  {name.replace('_', ' ')}: {change.added:,} new, {change.updated:,} changed, "
                f"{change.unchanged:,} already stored {verb}".rstrip()
            )
        if self.store_counts and not self.dry_run:
            out.append(
                "  store now: "
                + ", ".join(
                    f"{n:,} {name.replace('_', ' ')}" for name, n in self.shown_counts().items()
                )
            )
        return out

    def shown_counts(self) -> dict[str, int]:
        """The store's row counts as a summary shows them: kept e-mail addresses only when
        there are some (most shops keep none)."""
        return {t: n for t, n in self.store_counts.items() if n or t != "customer_contacts"}
