"""Times statsmodels' MixedLM on the same file as `eduq va fit` (issue #5 asks to report it).

Usage: python3 va_statsmodels.py FILE   (columns 学校, 入口成绩, 出口成绩; needs pandas, statsmodels)
"""
import sys
import time

import pandas as pd
import statsmodels.formula.api as smf

t0 = time.time()
df = pd.read_csv(sys.argv[1], dtype={"学校": str})
df = df.rename(columns={"学校": "school", "入口成绩": "entry", "出口成绩": "exit"})
t1 = time.time()
m = smf.mixedlm("exit ~ entry", df, groups=df["school"]).fit(reml=True)
t2 = time.time()
print(m.params.to_dict(), "sigma2_u", float(m.cov_re.iloc[0, 0]), "sigma2_e", m.scale)
print(f"statsmodels: read {t1 - t0:.2f} s, fit {t2 - t1:.2f} s")
