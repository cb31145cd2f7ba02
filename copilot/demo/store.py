"""Write a generated demo shop into the store (one transaction) with its truths and documents."""

from __future__ import annotations

from tqdm import tqdm

from copilot.core.errors import ConfigError
from copilot.core.settings import Settings
from copilot.demo import DemoShop, write_truths
from copilot.demo.docs import POLICY, write_documents
from copilot.shop.store import ShopData, set_meta
from copilot.shop.transform import Shaped
from copilot.shop.writes import write_shaped


def store_demo(shop: ShopData, demo: DemoShop, settings: Settings, *, force: bool) -> None:
    """Replace the store's contents with the demo shop; refuse to overwrite data unless forced."""
    if not shop.is_empty() and not force:
        raise ConfigError(
            "the shop database already has data; run `copilot demo --force` to replace it, "
            "or point COPILOT_HOME / COPILOT_DATABASE_URL elsewhere"
        )
    rows = sum(len(t) for t in demo.tables.values())
    with (
        tqdm(total=rows, unit="row", desc="writing", leave=False) as bar,
        shop.transaction() as conn,
    ):
        shaped = Shaped(tables=demo.tables, rows_kept=rows)
        write_shaped(shop, shaped, None, progress=bar.update, clear=True, conn=conn)
        set_meta(conn, "shop_name", POLICY["shop"])  # answers name the demo's brand
    write_truths(demo.truths, settings.truths_path)
    write_documents(demo.documents, settings.demo_docs_dir)
