"""Balance of a `eduq classes assign` output, recomputed from the file alone (standard library only).

Prints, per score column, the largest gap between class means and the range of class SDs; the
spread of flag and score-band counts across classes; and the exchange search's own objective (the
same terms and weights as `core::classes::Model::cost`), so two versions' outputs can be compared.

Usage: python3 scripts/bench/classes_balance.py OUT.csv [score columns…] (default 总分 语文 数学 英语)
"""
import csv
import math
import statistics as st
import sys

path = sys.argv[1]
scores = sys.argv[2:] or ["总分", "语文", "数学", "英语"]
rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
n = len(rows)
x = [[float(r[s]) for s in scores] for r in rows]
flags = [set(f for f in r.get("标记", "").split(";") if f) for r in rows]
names = sorted(set().union(*flags))
classes = {}
for i, r in enumerate(rows):
    classes.setdefault(r["班级"], []).append(i)

for j, s in enumerate(scores):
    means = [st.mean(x[i][j] for i in m) for m in classes.values()]
    sds = [st.pstdev([x[i][j] for i in m]) for m in classes.values()]
    print(f"{s}: gap of class means {max(means) - min(means):.3f}, class SDs {min(sds):.2f}-{max(sds):.2f}")

mean = [sum(v[j] for v in x) / n for j in range(len(scores))]
sd = [math.sqrt(sum((v[j] - mean[j]) ** 2 for v in x) / n) for j in range(len(scores))]
totals = sorted(v[0] for v in x)
cuts = [totals[min(q * n // 5, n - 1)] for q in range(1, 5)]
band = [sum(1 for c in cuts if v[0] >= c) for v in x]
for f in names:
    counts = [sum(1 for i in m if f in flags[i]) for m in classes.values()]
    print(f"{f}: {min(counts)}-{max(counts)} per class")
spread = [max(c) - min(c) for c in ([sum(1 for i in m if band[i] == b) for m in classes.values()] for b in range(5))]
print("score-band count spread per band:", spread)

flag_share = [sum(1 for f in flags if name in f) / n for name in names]
band_share = [band.count(b) / n for b in range(5)]
cost = 0.0
for m in classes.values():
    k = len(m)
    for j in range(len(scores)):
        mu = sum(x[i][j] for i in m) / k
        var = sum((x[i][j] - mu) ** 2 for i in m) / k
        w = 400 if j == 0 else 40
        cost += w * ((mu - mean[j]) / sd[j]) ** 2 + 0.5 * ((math.sqrt(var) - sd[j]) / sd[j]) ** 2
    for a, name in enumerate(names):
        cost += 0.5 * (sum(1 for i in m if name in flags[i]) - k * flag_share[a]) ** 2
    for b in range(5):
        cost += 0.2 * (sum(1 for i in m if band[i] == b) - k * band_share[b]) ** 2
print(f"objective {cost:.4f}")
