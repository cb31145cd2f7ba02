"""The demo shop's bilingual catalogue: categories, products, list prices, costs, elasticities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Category:
    """A product category with its price range, elasticity mean and product nouns."""

    code: str
    en: str
    zh: str
    price: tuple[float, float]
    elasticity: float
    """Mean planted own-price elasticity of the category's products."""
    nouns: tuple[tuple[str, str], ...]
    use_en: str
    use_zh: str


CATEGORIES: tuple[Category, ...] = (
    Category(
        "CT",
        "Coffee & Tea",
        "咖啡与茶",
        (6, 40),
        -1.2,
        (
            ("Arabica Coffee Beans", "阿拉比卡咖啡豆"),
            ("Drip Coffee Bags", "挂耳咖啡"),
            ("Green Tea", "绿茶"),
            ("Oolong Tea", "乌龙茶"),
            ("Cold Brew Concentrate", "冷萃咖啡液"),
            ("Matcha Powder", "抹茶粉"),
            ("Black Tea", "红茶"),
            ("Herbal Tea", "花草茶"),
        ),
        "a calm morning ritual",
        "开启从容的早晨",
    ),
    Category(
        "KT",
        "Kitchen",
        "厨房用品",
        (8, 90),
        -1.8,
        (
            ("Ceramic Mug", "陶瓷马克杯"),
            ("Chef's Knife", "主厨刀"),
            ("Cutting Board", "砧板"),
            ("Non-stick Pan", "不粘锅"),
            ("Glass Storage Jar", "玻璃储物罐"),
            ("Teapot", "茶壶"),
            ("Electric Kettle", "电热水壶"),
        ),
        "everyday cooking",
        "日常烹饪",
    ),
    Category(
        "HD",
        "Home Decor",
        "家居装饰",
        (10, 80),
        -2.2,
        (
            ("Scented Candle", "香薰蜡烛"),
            ("Throw Pillow", "抱枕"),
            ("Photo Frame", "相框"),
            ("Wall Clock", "挂钟"),
            ("Flower Vase", "花瓶"),
            ("Table Lamp", "台灯"),
            ("String Lights", "灯串"),
        ),
        "a cosy home",
        "温馨的家",
    ),
    Category(
        "PC",
        "Beauty & Personal Care",
        "个护美妆",
        (5, 45),
        -1.6,
        (
            ("Hand Cream", "护手霜"),
            ("Sheet Face Mask", "面膜"),
            ("Lip Balm", "润唇膏"),
            ("Shampoo", "洗发水"),
            ("Body Lotion", "身体乳"),
            ("Sunscreen", "防晒霜"),
        ),
        "daily self-care",
        "日常护理",
    ),
    Category(
        "AP",
        "Apparel",
        "服饰",
        (12, 70),
        -2.4,
        (
            ("Cotton T-shirt", "纯棉T恤"),
            ("Hoodie", "连帽卫衣"),
            ("Knit Scarf", "针织围巾"),
            ("Socks", "袜子"),
            ("Beanie", "毛线帽"),
            ("Pajama Set", "睡衣套装"),
        ),
        "comfortable everyday wear",
        "舒适的日常穿搭",
    ),
    Category(
        "BG",
        "Bags & Accessories",
        "箱包配饰",
        (8, 120),
        -2.0,
        (
            ("Tote Bag", "托特包"),
            ("Backpack", "双肩包"),
            ("Wallet", "钱包"),
            ("Umbrella", "雨伞"),
            ("Phone Case", "手机壳"),
            ("Keychain", "钥匙扣"),
        ),
        "life on the move",
        "随行生活",
    ),
    Category(
        "ST",
        "Stationery",
        "文具",
        (3, 30),
        -2.6,
        (
            ("Notebook", "笔记本"),
            ("Gel Pen Set", "中性笔套装"),
            ("Weekly Planner", "周计划本"),
            ("Washi Tape", "和纸胶带"),
            ("Sticky Notes", "便利贴"),
            ("Fountain Pen", "钢笔"),
        ),
        "study and work",
        "学习与工作",
    ),
    Category(
        "TY",
        "Toys & Games",
        "玩具游戏",
        (8, 60),
        -2.1,
        (
            ("Jigsaw Puzzle", "拼图"),
            ("Plush Toy", "毛绒玩具"),
            ("Building Blocks", "积木"),
            ("Board Game", "桌游"),
            ("Kite", "风筝"),
        ),
        "family play time",
        "亲子游戏时光",
    ),
    Category(
        "SN",
        "Snacks",
        "零食",
        (3, 25),
        -2.9,
        (
            ("Dark Chocolate", "黑巧克力"),
            ("Mixed Nuts", "混合坚果"),
            ("Dried Mango", "芒果干"),
            ("Butter Cookies", "黄油曲奇"),
            ("Rice Crackers", "米饼"),
        ),
        "sharing and snacking",
        "分享与解馋",
    ),
    Category(
        "EL",
        "Electronics Accessories",
        "数码配件",
        (10, 150),
        -1.9,
        (
            ("Wireless Earbuds", "无线耳机"),
            ("Power Bank", "充电宝"),
            ("USB-C Cable", "USB-C数据线"),
            ("Bluetooth Speaker", "蓝牙音箱"),
            ("Phone Stand", "手机支架"),
            ("Smart Watch Band", "智能手表表带"),
        ),
        "a connected day",
        "随时在线的一天",
    ),
)

MODIFIERS: tuple[tuple[str, str], ...] = (
    ("Classic", "经典"),
    ("Premium", "高级"),
    ("Mini", "迷你"),
    ("Organic", "有机"),
    ("Vintage", "复古"),
    ("Nordic", "北欧风"),
    ("Travel", "旅行装"),
    ("Deluxe", "豪华"),
    ("Everyday", "日常"),
    ("Eco", "环保"),
    ("Limited Edition", "限定款"),
    ("Family Size", "家庭装"),
)

_FEATURES_EN = (
    "carefully made and tested",
    "designed in our studio",
    "a customer favourite",
    "made from responsibly sourced materials",
    "gift-ready packaging",
)
_FEATURES_ZH = (
    "精心制作、严格检测",
    "由我们的设计工作室打造",
    "深受顾客喜爱",
    "采用负责任采购的材料",
    "自带礼盒包装",
)


def make_catalog(rng: np.random.Generator, n_products: int) -> pd.DataFrame:
    """Products spread evenly over the categories, with planted elasticities and costs."""
    rows = []
    per_cat = np.full(len(CATEGORIES), n_products // len(CATEGORIES))
    per_cat[: n_products % len(CATEGORIES)] += 1
    for cat, count in zip(CATEGORIES, per_cat, strict=True):
        combos = [(m, n) for n in cat.nouns for m in MODIFIERS]
        order = rng.permutation(len(combos))
        for i in range(int(count)):
            (mod_en, mod_zh), (noun_en, noun_zh) = combos[order[i % len(combos)]]
            edition = i // len(combos)
            suffix_en = f" No. {edition + 1}" if edition else ""
            suffix_zh = f" {edition + 1}号" if edition else ""
            feature = int(rng.integers(len(_FEATURES_EN)))
            title_en = f"{mod_en} {noun_en}{suffix_en}"
            title_zh = f"{mod_zh}{noun_zh}{suffix_zh}"
            rows.append(
                {
                    "sku": f"{cat.code}-{i + 1:04d}",
                    "title": title_en,
                    "title_zh": title_zh,
                    "description": f"{title_en}: {_FEATURES_EN[feature]}, for {cat.use_en}. "
                    f"Category: {cat.en}.",
                    "description_zh": f"{title_zh}：{_FEATURES_ZH[feature]}，适合{cat.use_zh}。"
                    f"品类：{cat.zh}。",
                    "category": cat.en,
                    "category_zh": cat.zh,
                    "noun": noun_en,
                    "noun_zh": noun_zh,
                    "cat_index": CATEGORIES.index(cat),
                }
            )
    frame = pd.DataFrame(rows)
    lo = np.array([CATEGORIES[c].price[0] for c in frame["cat_index"]])
    hi = np.array([CATEGORIES[c].price[1] for c in frame["cat_index"]])
    raw = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    frame["list_price"] = np.maximum(np.floor(raw) + 0.99, 1.99).round(2)
    cost_share = rng.uniform(0.35, 0.65, len(frame))
    cost = (frame["list_price"] * cost_share).round(2)
    # Some products have no recorded cost: tools must then state an explicit margin assumption.
    frame["unit_cost"] = cost.where(rng.random(len(frame)) > 0.15)
    mean_e = np.array([CATEGORIES[c].elasticity for c in frame["cat_index"]])
    frame["elasticity"] = np.clip(mean_e + rng.normal(0, 0.35, len(frame)), -4.0, -0.4).round(3)
    frame["popularity"] = rng.lognormal(0.0, 0.7, len(frame))
    return frame
