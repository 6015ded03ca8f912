#!/usr/bin/env python3
"""gen_import.py -- deterministic inputs for the import benchmark: N item points
and M hazard polygons (irregular 8-gons) around Aghdam, as GeoJSON."""
import json, math, random, sys

out_dir, n_items, n_hazards = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
cats = ["AP", "AT", "UXO", "SUB"]
models = {"AP": "PMN-2", "AT": "TM-62M", "UXO": "OF-462", "SUB": "M77"}
with open(f"{out_dir}/items.geojson", "w") as f:
    f.write('{"type":"FeatureCollection","features":[\n')
    for i in range(n_items):
        c = rnd.choice(cats)
        x, y = 46.5 + rnd.random() * 1.0, 39.5 + rnd.random() * 0.6
        f.write(('' if i == 0 else ',\n') + json.dumps({"type": "Feature", "properties": {
            "category": c, "model": models[c], "depth_cm": round(rnd.random() * 20, 1),
            "found_date": f"20{21 + i % 4}-0{1 + i % 9}-1{i % 9}"},
            "geometry": {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]}}))
    f.write("\n]}\n")
with open(f"{out_dir}/hazards.geojson", "w") as f:
    f.write('{"type":"FeatureCollection","features":[\n')
    for i in range(n_hazards):
        cx, cy = 46.5 + rnd.random() * 1.0, 39.5 + rnd.random() * 0.6
        r = 0.0005 + rnd.random() * 0.002
        ring = []
        for k in range(8):
            a = 2 * math.pi * k / 8
            rr = r * (0.7 + 0.3 * rnd.random())
            ring.append([round(cx + rr * math.cos(a), 7), round(cy + rr * math.sin(a), 7)])
        ring.append(ring[0])
        f.write(('' if i == 0 else ',\n') + json.dumps({"type": "Feature", "properties": {
            "ref": f"H-{i}", "hazard_type": "SHA" if i % 3 else "CHA", "status": "open",
            "ordnance": "AP,AT", "reported_date": "2021-05-01"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}))
    f.write("\n]}\n")
