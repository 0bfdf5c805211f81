"""The same 体质健康 rules as `eduq fitness score`, written the straightforward pandas way, to measure
eduq against what a bureau's analyst would otherwise run (issue #3 asks for >= 10x).

Usage: python3 fitness_pandas.py IN.csv OUT.csv   (needs pandas and numpy; tables from crates/core)
Vectorised per (grade, sex, item) with numpy.searchsorted; times parsed with pandas string methods.
Vision columns are not scored here (eduq does more work, not less).
"""
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

T = Path(__file__).resolve().parents[2] / "crates/core/src/standards/fitness"
ITEMS = {"肺活量": "lung_capacity", "50米跑": "run_50m", "立定跳远": "standing_long_jump", "坐位体前屈": "sit_and_reach",
         "800米跑": "run_800m", "1000米跑": "run_1000m", "一分钟仰卧起坐": "sit_up_1min", "引体向上": "pull_up",
         "一分钟跳绳": "rope_1min", "50米×8往返跑": "shuttle_50x8"}
TIMES = {"800米跑", "1000米跑", "50米×8往返跑"}
CODE = {**{10 + g: str(g) for g in range(1, 7)}, **{14 + g: str(g) for g in range(7, 10)},
        **{21 + g: str(g) for g in range(10, 13)}, 41: "U12", 42: "U12", 43: "U34", 44: "U34"}


def groups(spec):
    out = []
    for part in str(spec).split(","):
        if "-" in part:
            a, b = part.split("-")
            out += [str(g) for g in range(int(a), int(b) + 1)]
        else:
            out.append(part)
    return out


def main(src, dst):
    t0 = time.time()
    items = pd.concat([pd.read_csv(T / f, dtype={"grade": str}) for f in
                       ["item_scores_primary.csv", "item_scores_secondary.csv", "item_scores_university.csv"]])
    bmi = pd.concat([pd.read_csv(T / f, dtype={"grade": str}) for f in ["bmi_bands.csv", "bmi_bands_secondary.csv"]])
    weights = pd.read_csv(T / "weights.csv")
    bonus = pd.read_csv(T / "bonus.csv")
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    df["_g"] = pd.to_numeric(df["年级编号"], errors="coerce").map(CODE)
    df["_s"] = df["性别"].map({"1": "male", "2": "female", "男": "male", "女": "female"})
    vals = {}
    for col in ITEMS:
        raw = df[col].str.strip()
        if col in TIMES:
            parts = raw.str.extract(r"^(\d+)[.':分](\d{2})")
            v = pd.to_numeric(parts[0], errors="coerce") * 60 + pd.to_numeric(parts[1], errors="coerce")
            v[pd.to_numeric(parts[1], errors="coerce") > 59] = np.nan
        else:
            v = pd.to_numeric(raw, errors="coerce")
        vals[col] = v
        df[col + "得分"] = pd.Series(np.nan, index=df.index)
    h = pd.to_numeric(df["身高"], errors="coerce") / 100
    df["体重指数"] = (pd.to_numeric(df["体重"], errors="coerce") / (h * h)).round(1)
    df["体重指数等级"] = ""
    df["体重指数得分"] = np.nan
    std = pd.Series(0.0, index=df.index)
    missing = pd.Series(False, index=df.index)
    add = pd.Series(0.0, index=df.index)
    for (g, s), idx in df.groupby(["_g", "_s"]).groups.items():
        w = weights[weights["grades"].map(lambda x: g in groups(x))]
        for _, wr in w.iterrows():
            for it in str(wr["item"]).split("|"):
                key, _, only = it.partition("(")
                if only and only.rstrip(")") != s:
                    continue
                if key == "bmi":
                    b = bmi[(bmi["grade"] == g) & (bmi["sex"] == s)]
                    x = df.loc[idx, "体重指数"]
                    sc = pd.Series(np.nan, index=idx)
                    cat = pd.Series("", index=idx)
                    for _, br in b.iterrows():
                        m = x.notna()
                        if not pd.isna(br["bmi_min"]):
                            m &= x >= br["bmi_min"] - 1e-9
                        if not pd.isna(br["bmi_max"]):
                            m &= x <= br["bmi_max"] + 1e-9
                        sc[m] = br["score"]
                        cat[m] = br["category"]
                    df.loc[idx, "体重指数得分"] = sc
                    df.loc[idx, "体重指数等级"] = cat
                    score = sc
                else:
                    col = next(c for c, k in ITEMS.items() if k == key)
                    tab = items[(items["grade"] == g) & (items["sex"] == s) & (items["item"] == key)].sort_values("score")
                    x = vals[col][idx]
                    th = tab["threshold"].to_numpy()
                    pts = tab["score"].to_numpy()
                    if tab["direction"].iloc[0] == "lower_is_better":
                        k = np.searchsorted(th[::-1], x.to_numpy() - 1e-9, side="left")
                        k = len(th) - 1 - k
                        score = np.where(k >= 0, pts[np.clip(k, 0, None)], 0).astype(float)
                        excess = th[-1] - x
                    else:
                        k = np.searchsorted(th, x.to_numpy() + 1e-9, side="right") - 1
                        score = np.where(k >= 0, pts[np.clip(k, 0, None)], 0).astype(float)
                        excess = x - th[-1]
                    score = pd.Series(score, index=idx).where(x.notna())
                    df.loc[idx, col + "得分"] = score
                    bt = bonus[(bonus["item"] == key) & (bonus["applies_grades"].map(lambda a: g in groups(a)))]
                    if len(bt):
                        steps = bt.sort_values("excess_over_score100_threshold")
                        pts_b = np.zeros(len(idx))
                        for _, br in steps.iterrows():
                            pts_b = np.where((score.to_numpy() == 100) & (excess.to_numpy() >= br["excess_over_score100_threshold"] - 1e-9),
                                             br["bonus_points"], pts_b)
                        add[idx] += pts_b
                std[idx] += score.fillna(0) * wr["weight_percent"] / 100
                missing[idx] |= score.isna()
    df["标准分"] = std.round(2).where(~missing)
    df["附加分"] = add.clip(upper=20).where(~missing)
    df["总分"] = (df["标准分"] + df["附加分"]).round(2)
    df["等级"] = pd.cut(df["总分"], [-1, 60 - 1e-9, 80 - 1e-9, 90 - 1e-9, 200], labels=["不及格", "及格", "良好", "优秀"])
    df.drop(columns=["_g", "_s"]).to_csv(dst, index=False)
    print(f"pandas: {len(df)} rows in {time.time() - t0:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
