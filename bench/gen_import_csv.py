#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen_import_csv.py -- deterministic input for the import memory benchmark:
N item points around Aghdam as CSV (lon, lat, category, model, depth_cm,
found_date), every value valid for the items layer.
Usage: gen_import_csv.py OUT.csv N"""
import random, sys

out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
cats = ["AP", "AT", "UXO", "SUB"]
models = {"AP": "PMN-2", "AT": "TM-62M", "UXO": "OF-462", "SUB": "M77"}
with open(out, "w") as f:
    f.write("lon,lat,category,model,depth_cm,found_date\n")
    for i in range(n):
        c = rnd.choice(cats)
        f.write("%.7f,%.7f,%s,%s,%.1f,20%d-0%d-1%d\n" % (46.5 + rnd.random(), 39.5 + rnd.random() * 0.6, c,
                                                        models[c], rnd.random() * 20, 21 + i % 4, 1 + i % 9, i % 9))
