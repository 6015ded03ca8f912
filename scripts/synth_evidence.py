#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# synth_evidence.py -- deterministic synthetic evidence for timing the risk
# map at scale: clustered accidents, finds and reports, hazard polygons,
# released land, roads and front lines over a square area of a given size.
# Usage: synth_evidence.py KM2 OUT_DIR   (writes evidence.geojson, aoi.geojson)
import json, math, os, random, sys

km2 = float(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = random.Random(20240601)
side_km = math.sqrt(km2)
lon0, lat0 = 46.5, 39.5                    # somewhere in UTM 38N
dlat = side_km / 111.0
dlon = side_km / (111.0 * math.cos(math.radians(lat0 + dlat / 2)))
def pt():
    return [lon0 + rng.random() * dlon, lat0 + rng.random() * dlat]
feats = []
def add(props, geom):
    feats.append({"type": "Feature", "properties": props, "geometry": geom})
scale = km2 / 8000.0
centres = [pt() for _ in range(max(5, int(300 * scale)))]
kinds = ["accident", "item", "suspected", "report"]
for i in range(int(6000 * scale)):
    c = rng.choice(centres)
    p = [c[0] + rng.gauss(0, 0.01), c[1] + rng.gauss(0, 0.01)]
    add({"kind": rng.choice(kinds), "date": str(rng.randint(1995, 2020)), "code": rng.choice([1, 4, 8])},
        {"type": "Point", "coordinates": p})
for i in range(int(800 * scale)):
    c = rng.choice(centres)
    x, y = c[0] + rng.gauss(0, 0.01), c[1] + rng.gauss(0, 0.01)
    r = 0.002 + rng.random() * 0.004
    ring = [[x + r * math.cos(a / 8 * 2 * math.pi), y + r * math.sin(a / 8 * 2 * math.pi)] for a in range(8)]
    ring.append(ring[0])
    kind = "hazard" if i % 3 else "cleared"
    add({"kind": kind, "date": str(rng.randint(2000, 2020)), "weight": 0.7, "method": "manual"},
        {"type": "Polygon", "coordinates": [ring]})
for i in range(int(3000 * scale)):
    a = pt()
    line = [a]
    for _ in range(5):
        a = [a[0] + rng.gauss(0, 0.01), a[1] + rng.gauss(0, 0.01)]
        line.append(a)
    cls = "front_line" if i % 10 == 0 else ("military_position" if i % 10 == 1 else "road")
    add({"kind": "feature", "class": cls}, {"type": "LineString", "coordinates": line})
for i in range(int(200 * scale)):
    add({"kind": "detection", "date": "2021", "p_detect": 0.8, "false_alarms_ha": 2, "sigma_m": 3},
        {"type": "Point", "coordinates": pt()})
json.dump({"type": "FeatureCollection", "features": feats}, open(os.path.join(out, "evidence.geojson"), "w"))
box = [[lon0, lat0], [lon0 + dlon, lat0], [lon0 + dlon, lat0 + dlat], [lon0, lat0 + dlat], [lon0, lat0]]
json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
          "geometry": {"type": "Polygon", "coordinates": [box]}}]}, open(os.path.join(out, "aoi.geojson"), "w"))
print(len(feats), "features over", km2, "km2")
