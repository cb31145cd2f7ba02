"""TIFU-KNN and personal-item-frequency candidates on the Online Retail benchmark split
(issue 16: can ordering a customer's own past products reach NDCG@10 0.414 in mode "all"?).

Reuses the project's temporal_split / evaluate (NDCG@10, mode "all") unchanged.
Usage: .venv/bin/python benchmarks/bench_tifu.py [baselines|grid|test|extra]
(the ingested file is cached as pickles in $TMPDIR/copilot-bench-tifu between stages).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tools.recommend.base import Recommender
from tools.recommend.components import catalogue, non_merchandise
from tools.recommend.evaluate import Metrics, Split, evaluate, mode_truth, temporal_split
from tools.recommend.hybrid import HybridRecommender, _normalise
from tools.recommend.interactions import Interactions
from tools.recommend.neighbours import ItemKNNRecommender
from tools.recommend.simple import BuyAgainRecommender, PopularityRecommender

OUT = str(Path(tempfile.gettempdir()) / "copilot-bench-tifu")
RETAIL = Path(__file__).resolve().parents[2] / "shared" / "data" / "online-retail"

BasketLines = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Scorer = Callable[[np.ndarray], np.ndarray]


def _ingest() -> None:
    from copilot.shop import ShopData, ingest_file

    Path(OUT).mkdir(exist_ok=True)
    shop = ShopData.open(f"sqlite:///{Path(OUT) / 'or.db'}")
    source = next(RETAIL.glob("*.parquet"))
    ingest_file(shop, source, fmt="online-retail", show_progress=False)
    shop.order_lines().to_pickle(f"{OUT}/lines.pkl")
    shop.products().to_pickle(f"{OUT}/products.pkl")


def load() -> tuple[pd.DataFrame, pd.DataFrame, set[str], np.ndarray, pd.Timestamp, pd.Timestamp]:
    if not Path(f"{OUT}/lines.pkl").exists():
        _ingest()
    lines = pd.read_pickle(f"{OUT}/lines.pkl")
    products = pd.read_pickle(f"{OUT}/products.pkl")
    exclude = non_merchandise(products)
    items = catalogue(products, lines, exclude)
    end = lines["ts"].max() + pd.Timedelta(seconds=1)
    cutoff = end - pd.Timedelta(days=60)
    val_start = cutoff - pd.Timedelta(days=60)
    return lines, products, exclude, items, cutoff, val_start


def basket_lines(
    lines: pd.DataFrame, data: Interactions, exclude: set[str], unit: str
) -> BasketLines:
    """(row, col, basket_rank_from_end, n_baskets_of_user) for distinct (basket, item) pairs
    among sales before ``data.as_of``. unit = "invoice" or "day"."""
    past = lines[
        (lines["ts"] < data.as_of)
        & lines["customer_id"].notna()
        & ~lines["is_return"].astype(bool)
        & (lines["quantity"] > 0)
    ]
    past = past[~past["sku"].isin(exclude)]
    rows = pd.Index(data.users).get_indexer(past["customer_id"])
    cols = pd.Index(data.items).get_indexer(past["sku"])
    keep = (rows >= 0) & (cols >= 0)
    past = past[keep]
    if unit == "invoice":
        key = past["order_id"].astype(str).to_numpy()
    else:
        key = past["ts"].dt.floor("D").astype("int64").astype(str).to_numpy()
    frame = pd.DataFrame({"r": rows[keep], "c": cols[keep], "b": key, "ts": past["ts"].to_numpy()})
    # basket time = first line time of the basket
    bt = frame.groupby(["r", "b"], sort=False)["ts"].min().reset_index()
    bt = bt.sort_values(["r", "ts", "b"])
    bt["rank_from_end"] = bt.groupby("r").cumcount(ascending=False)
    bt["n"] = bt.groupby("r")["b"].transform("size")
    pairs = frame[["r", "c", "b"]].drop_duplicates()
    pairs = pairs.merge(bt[["r", "b", "rank_from_end", "n"]], on=["r", "b"], how="left")
    return (
        pairs["r"].to_numpy(np.int64),
        pairs["c"].to_numpy(np.int64),
        pairs["rank_from_end"].to_numpy(np.int64),
        pairs["n"].to_numpy(np.int64),
    )


def pif_vectors(
    bl: BasketLines, shape: tuple[int, int], m: int, rb: float, rg: float
) -> sp.csr_matrix:
    """TIFU user vectors: within a group of m consecutive baskets (groups counted from the
    latest basket), basket weight rb^(distance to the group's last basket), group average;
    across groups rg^(distance to the last group), average over groups."""
    r, c, d, n = bl
    g = d // m
    within = d % m
    n_groups = (n + m - 1) // m
    # size of group g: m, except the earliest group (g == n_groups-1) holds the remainder
    size = np.where(g == n_groups - 1, n - m * (n_groups - 1), m)
    w = rb**within * rg**g / size / n_groups
    return sp.csr_matrix((w.astype(np.float64), (r, c)), shape=shape).astype(np.float32)


class Precomputed(Recommender):
    """Scores from a callable over rows (already fitted)."""

    def __init__(self, name: str, data: Interactions, fn: Scorer) -> None:
        self.name, self.data, self.fn = name, data, fn

    def _fit(self, data: Interactions) -> None:  # pragma: no cover
        pass

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return self.fn(rows)


def own_scores(U: sp.csr_matrix) -> Scorer:
    return lambda rows: np.asarray(U[rows].todense(), dtype=np.float32)


def row_norm(x: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
    return sp.diags(np.where(norms > 0, 1 / np.maximum(norms, 1e-12), 0)) @ x


def knn_mean(U: sp.csr_matrix, rows: np.ndarray, ks: list[int]) -> dict[int, np.ndarray]:
    """Mean of the k most cosine-similar training users' vectors (self excluded), dense, for
    each k."""
    un = row_norm(U).tocsr().astype(np.float32)
    sims = np.asarray((un[rows] @ un.T).todense(), dtype=np.float32)
    sims[np.arange(len(rows)), rows] = -np.inf
    out: dict[int, np.ndarray] = {}
    order = np.argsort(-sims, axis=1)[:, : max(ks)]
    for k in ks:
        nb = order[:, :k]
        ri = np.repeat(np.arange(len(rows)), k)
        sel = sp.csr_matrix(
            (np.full(ri.size, 1.0 / k, np.float32), (ri, nb.ravel())), shape=(len(rows), U.shape[0])
        )
        out[k] = np.asarray((sel @ U).todense(), dtype=np.float32)
    return out


def ndcg_all(model: Recommender, split: Split) -> float:
    return evaluate(model, split, "all")["all"].ndcg


class Grid(TypedDict):
    m: list[int]
    rb: list[float]
    rg: list[float]
    alpha: list[float]
    k: list[int]


class GridRow(TypedDict):
    unit: str
    m: int
    rb: float
    rg: float
    alpha: float
    k: int
    ndcg: float


GRID = Grid(m=[3, 7], rb=[0.9, 1.0], rg=[0.6, 0.8, 0.9], alpha=[0.7, 0.9], k=[100, 300])


def run_grid(
    split: Split, lines: pd.DataFrame, exclude: set[str], unit: str, extra_own: bool = True
) -> tuple[list[GridRow], float]:
    data = split.train
    rows = mode_truth(split, "all")[2]
    t0 = time.perf_counter()
    bl = basket_lines(lines, data, exclude, unit)
    t_baskets = time.perf_counter() - t0
    res: list[GridRow] = []
    for m, rb, rg in itertools.product(GRID["m"], GRID["rb"], GRID["rg"]):
        U = pif_vectors(bl, data.shape, m, rb, rg)
        own = np.asarray(U[rows].todense(), dtype=np.float32)
        nbr = knn_mean(U, rows, GRID["k"])
        for alpha in [1.0] + GRID["alpha"]:
            for k in GRID["k"] if alpha < 1 else [0]:
                pred = own if alpha == 1 else alpha * own + (1 - alpha) * nbr[k]
                lookup = {r: i for i, r in enumerate(rows)}

                def fn(
                    rr: np.ndarray, pred: np.ndarray = pred, lookup: dict[int, int] = lookup
                ) -> np.ndarray:
                    return pred[[lookup[x] for x in rr]]

                v = ndcg_all(Precomputed("tifu", data, fn), split)
                res.append(GridRow(unit=unit, m=m, rb=rb, rg=rg, alpha=alpha, k=k, ndcg=v))
        print(unit, m, rb, rg, [round(r["ndcg"], 4) for r in res[-5:]], flush=True)
    return res, t_baskets


def fit_tifu(
    split: Split,
    lines: pd.DataFrame,
    exclude: set[str],
    unit: str,
    m: int,
    rb: float,
    rg: float,
    alpha: float,
    k: int,
) -> tuple[dict[str, Metrics], float, sp.csr_matrix]:
    """Fit on split.train and score the evaluable test rows; returns (ndcg, seconds)."""
    data = split.train
    rows = mode_truth(split, "all")[2]
    t0 = time.perf_counter()
    bl = basket_lines(lines, data, exclude, unit)
    U = pif_vectors(bl, data.shape, m, rb, rg)
    own = np.asarray(U[rows].todense(), dtype=np.float32)
    pred = own if alpha == 1 else alpha * own + (1 - alpha) * knn_mean(U, rows, [k])[k]
    secs = time.perf_counter() - t0
    lookup = {r: i for i, r in enumerate(rows)}

    def fn(rr: np.ndarray) -> np.ndarray:
        return pred[[lookup[x] for x in rr]]

    return evaluate(Precomputed("tifu", data, fn), split, "all"), secs, U


def main() -> None:
    stage = sys.argv[1] if len(sys.argv) > 1 else "grid"
    if stage == "extra":
        return stage_extra()
    lines, _products, exclude, items, cutoff, val_start = load()
    t0 = time.perf_counter()
    val = temporal_split(lines, None, val_start, 60, exclude, items=items)
    test = temporal_split(lines, None, cutoff, 60, exclude, items=items)
    print(
        f"splits {time.perf_counter() - t0:.1f} s; val rows {len(mode_truth(val, 'all')[2])}, "
        f"test rows {len(mode_truth(test, 'all')[2])}",
        flush=True,
    )

    if stage == "baselines":
        out: dict[tuple[str, ...], float] = {}
        for name, split in (("val", val), ("test", test)):
            comps = {
                "popularity": PopularityRecommender(),
                "buy_again[recent]": BuyAgainRecommender("recent"),
                "buy_again[days]": BuyAgainRecommender("days"),
                "item_cf[bm25]": ItemKNNRecommender(transform="bm25"),
            }
            for n, mdl in comps.items():
                t = time.perf_counter()
                mdl.fit(split.train)
                out[(name, n, "fit_s")] = time.perf_counter() - t
                out[(name, n)] = ndcg_all(mdl, split)
            h = HybridRecommender(
                comps, {"popularity": 0.25, "buy_again[recent]": 1.0, "item_cf[bm25]": 0.25}
            )
            h.data = split.train
            out[(name, "hybrid(0.25 pop + 1 ba[recent] + 0.25 icf[bm25])")] = ndcg_all(h, split)
        for k, v in out.items():
            print(k, round(v, 4))
        return

    if stage == "extra":
        return stage_extra()

    if stage == "grid":
        all_res = []
        for unit in ("invoice", "day"):
            res, tb = run_grid(val, lines, exclude, unit)
            print(f"{unit}: baskets {tb:.1f} s", flush=True)
            all_res += res
        pd.DataFrame(all_res).to_csv(f"{OUT}/grid_val.csv", index=False)
        return

    if stage == "test":
        df = pd.read_csv(f"{OUT}/grid_val.csv")
        picks: dict[str, pd.Series] = {}
        picks["tifu_knn"] = df[df.alpha < 1].sort_values("ndcg", ascending=False).iloc[0]
        picks["pif_own"] = df[df.alpha == 1].sort_values("ndcg", ascending=False).iloc[0]
        for unit in ("invoice", "day"):
            d = df[df.unit == unit]
            picks[f"tifu_knn[{unit}]"] = d[d.alpha < 1].sort_values("ndcg", ascending=False).iloc[0]
            picks[f"pif_own[{unit}]"] = d[d.alpha == 1].sort_values("ndcg", ascending=False).iloc[0]
        report = []
        for name, p in picks.items():
            args = (p.unit, int(p.m), float(p.rb), float(p.rg), float(p.alpha), int(p.k))
            met, secs, _ = fit_tifu(test, lines, exclude, *args)
            report.append(
                dict(
                    name=name,
                    unit=p.unit,
                    m=int(p.m),
                    rb=p.rb,
                    rg=p.rg,
                    alpha=p.alpha,
                    k=int(p.k),
                    val=round(p.ndcg, 4),
                    test=round(met["all"].ndcg, 4),
                    hr=round(met["all"].hr, 4),
                    fit_s=round(secs, 2),
                )
            )
            print(report[-1], flush=True)
        pd.DataFrame(report).to_csv(f"{OUT}/test_report.csv", index=False)
        return


def stage_extra() -> None:
    """Extended own-history grid (edges of the brief's grid) and candidate 3 blends."""
    lines, _products, exclude, items, cutoff, val_start = load()
    val = temporal_split(lines, None, val_start, 60, exclude, items=items)
    test = temporal_split(lines, None, cutoff, 60, exclude, items=items)
    # 1) own PIF, wider grid, validation
    res = []
    bls = {u: basket_lines(lines, val.train, exclude, u) for u in ("invoice", "day")}
    for unit, m, rb, rg in itertools.product(
        ("invoice", "day"), [1, 2, 3, 7, 14, 30], [0.8, 0.9, 1.0], [0.2, 0.4, 0.6, 0.8]
    ):
        if m == 1 and rb != 1.0:
            continue
        U = pif_vectors(bls[unit], val.train.shape, m, rb, rg)
        v = ndcg_all(Precomputed("pif", val.train, own_scores(U)), val)
        res.append(dict(unit=unit, m=m, rb=rb, rg=rg, ndcg=v))
    df = pd.DataFrame(res).sort_values("ndcg", ascending=False)
    df.to_csv(f"{OUT}/pif_wide_val.csv", index=False)
    print(df.head(10).to_string(), flush=True)
    best = df.iloc[0]
    unit, m, rb, rg = best.unit, int(best.m), float(best.rb), float(best.rg)
    t0 = time.perf_counter()
    Ut = pif_vectors(basket_lines(lines, test.train, exclude, unit), test.train.shape, m, rb, rg)
    secs = time.perf_counter() - t0
    print(
        "pif_wide best on test",
        unit,
        m,
        rb,
        rg,
        "val",
        round(best.ndcg, 4),
        "test",
        round(ndcg_all(Precomputed("pif", test.train, own_scores(Ut)), test), 4),
        f"fit {secs:.2f}s",
        flush=True,
    )

    # 2) candidate 3: PIF blended with item co-purchase neighbours and popularity
    def parts(split: Split, U: sp.csr_matrix) -> tuple[np.ndarray, dict[str, np.ndarray], float]:
        data = split.train
        rows = mode_truth(split, "all")[2]
        t = time.perf_counter()
        icf = ItemKNNRecommender(transform="bm25").fit(data)
        pop = PopularityRecommender().fit(data)
        # "popularity among own items' co-purchase neighbours": PIF propagated through the
        # item-CF similarity, times item popularity (within the neighbourhood)
        sim = icf.similarity_matrix
        fit_s = time.perf_counter() - t
        own = _normalise(np.asarray(U[rows].todense(), dtype=np.float32))
        nb = np.asarray((U[rows] @ sim).todense(), dtype=np.float32)
        nbpop = _normalise(nb * (nb > 0) * np.asarray(data.popularity)[None, :])
        nb = _normalise(nb)
        ic = _normalise(icf.scores(rows))
        pp = _normalise(pop.scores(rows))
        return rows, dict(own=own, nb=nb, nbpop=nbpop, icf=ic, pop=pp), fit_s

    Uv = pif_vectors(bls[unit], val.train.shape, m, rb, rg)
    rows_v, pv, _ = parts(val, Uv)
    rows_t, pt, fit_s = parts(test, Ut)

    def score(
        split: Split, rows: np.ndarray, p: dict[str, np.ndarray], w: dict[str, float]
    ) -> float:
        pred = p["own"] + sum(w[n] * p[n] for n in w)
        lookup = {r: i for i, r in enumerate(rows)}
        return ndcg_all(
            Precomputed("b", split.train, lambda rr: pred[[lookup[x] for x in rr]]), split
        )

    res = []
    ws = [0.0, 0.1, 0.25, 0.5]
    for w_nb, w_nbpop, w_icf, w_pop in itertools.product(ws, ws, ws, ws):
        if sum(x > 0 for x in (w_nb, w_nbpop, w_icf)) > 1:
            continue
        w = dict(nb=w_nb, nbpop=w_nbpop, icf=w_icf, pop=w_pop)
        res.append(dict(**w, val=score(val, rows_v, pv, w)))
    df3 = pd.DataFrame(res).sort_values("val", ascending=False)
    df3.to_csv(f"{OUT}/blend_val.csv", index=False)
    print(df3.head(8).to_string(), flush=True)
    for label, sub in (
        ("any", df3),
        ("nb only", df3[(df3.nbpop == 0) & (df3.icf == 0)]),
        ("nbpop only", df3[(df3.nb == 0) & (df3.icf == 0)]),
        ("icf only", df3[(df3.nb == 0) & (df3.nbpop == 0)]),
    ):
        b = sub.iloc[0]
        w = dict(nb=b["nb"], nbpop=b["nbpop"], icf=b["icf"], pop=b["pop"])
        print(
            "blend",
            label,
            w,
            "val",
            round(b.val, 4),
            "test",
            round(score(test, rows_t, pt, w), 4),
            f"(item-CF+pop fit {fit_s:.2f}s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
