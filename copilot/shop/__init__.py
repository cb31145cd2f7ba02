"""The shop's data: storage schema, the cached read layer, ingestion of CSV/Parquet files."""

from copilot.shop.ingest import FORMATS, ingest_file, ingest_files
from copilot.shop.parse import Plausible
from copilot.shop.store import ShopData, create_shop_engine
from copilot.shop.summary import IngestSummary

__all__ = [
    "FORMATS",
    "IngestSummary",
    "Plausible",
    "ShopData",
    "create_shop_engine",
    "ingest_file",
    "ingest_files",
]
