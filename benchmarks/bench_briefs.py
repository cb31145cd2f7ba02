"""Tokens the local model must read per tool result: the JSON versus the brief it now reads.

Usage: .venv/bin/python benchmarks/bench_briefs.py
Prompt evaluation (~75-90 tokens/s on 2 cores, every digit one token) is most of an answer's
latency, so this count is the lever. Demo shop (seed 7) in a temporary folder; token counts
with the bundled model's own tokenizer (vocabulary only, no weights evaluated).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from llama_cpp import Llama

from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.llm.model_file import model_path
from copilot.shop import ShopData
from knowledge.sources import file_sources, shop_sources
from tools import TOOLS, ToolContext, to_llm_brief, to_llm_json
from tools.knowledge_search import knowledge_store

ROOT = Path(__file__).resolve().parents[1]
CALLS: list[tuple[str, dict[str, object]]] = [
    ("segment_overview", {}),
    ("find_customers", {}),
    ("profile_customer", {"customer_id": "C10002"}),
    ("profile_weights", {}),
    ("recommend_products", {"customer_id": "C10001"}),
    ("recommend_for_segment", {"segment": "champions"}),
    ("similar_products", {"sku": "HD-0003"}),
    ("frequently_bought_with", {"sku": "TY-0010"}),
    ("price_elasticity", {"sku": "SN-0011"}),
    ("optimize_price", {"sku": "CT-0001"}),
    ("recommend_discount", {"segment": "at_risk", "budget": 2000}),
    ("ab_test_sample_size", {"metric": "conversion", "baseline": 0.05, "mde_pct": 10}),
    ("search_knowledge", {"query": "How long do customers have to return apparel?"}),
    ("plan_campaign", {"goal": "win back at-risk customers", "budget": 5000}),
]


def main() -> int:
    home = Path(tempfile.mkdtemp())
    settings = Settings(home=home)
    shop = ShopData.open(settings.effective_database_url)
    store_demo(shop, generate_demo(seed=7), settings, force=True)
    ctx = ToolContext(shop, settings)
    docs = ROOT / "knowledge" / "demo"
    knowledge_store(ctx).index([*file_sources(docs), *shop_sources(shop)], {str(docs), "shop"})
    gguf = model_path(Settings(home=ROOT / ".copilot"))
    vocab = Llama(model_path=str(gguf), vocab_only=True, verbose=False)

    def tokens(text: str) -> int:
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False))

    tools = {t.name: t for t in TOOLS}
    print("| tool | JSON tokens | brief tokens (en) | brief tokens (zh) | ratio (en) |")
    print("|---|---|---|---|---|")
    total_json = total_brief = 0
    for name, arguments in CALLS:
        result = tools[name](ctx, **arguments)
        j, en, zh = (
            tokens(to_llm_json(result)),
            tokens(to_llm_brief(result, "en")),
            tokens(to_llm_brief(result, "zh")),
        )
        total_json, total_brief = total_json + j, total_brief + en
        print(f"| {name} | {j} | {en} | {zh} | {en / j:.2f} |")
    print(f"| all | {total_json} | {total_brief} | | {total_brief / total_json:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
