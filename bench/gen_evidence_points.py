#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# gen_evidence_points.py -- deterministic evidence points at scale for the
# memory benchmark of the risk map (bench/evidence_memory.bench.sh): N points
# in the evidence schema (kind, date, code, ordnance, municipality), clustered
# around a few hundred centres over a square area of about 2000 km2 in UTM
# 38N, as drone detections, magnetometer targets and reported events come.
# Written row by row (10 million points need no memory), as CSV (lon, lat
# columns) and, when ogr2ogr is installed, converted to a GeoPackage.
# Usage: gen_evidence_points.py N OUT_DIR [KM2]
#   writes OUT_DIR/points_N.csv, OUT_DIR/points_N.gpkg (ogr2ogr) and
#   OUT_DIR/aoi.geojson; prints the path of the evidence file to use.
import json, math, os, random, shutil, subprocess, sys

n = int(float(sys.argv[1]))
out = sys.argv[2]
km2 = float(sys.argv[3]) if len(sys.argv) > 3 else 2000.0
os.makedirs(out, exist_ok=True)
rng = random.Random(20250301)
side_km = math.sqrt(km2)
lon0, lat0 = 46.5, 39.5
dlat = side_km / 111.0
dlon = side_km / (111.0 * math.cos(math.radians(lat0 + dlat / 2)))
centres = [(lon0 + rng.random() * dlon, lat0 + rng.random() * dlat) for _ in range(400)]
kinds = ["detection", "detection", "detection", "item", "item", "accident", "suspected", "report"]
ordnance = ["AP", "AT", "AP,AT", "UXO", ""]
groups = ["Aghdam", "Fuzuli", "Jabrayil", "Tartar", "Khojavend"]

csv = os.path.join(out, "points_%d.csv" % n)
if not os.path.exists(csv):
    with open(csv + ".part", "w") as f:
        f.write("lon,lat,kind,date,code,ordnance,municipality\n")
        for i in range(n):
            c = centres[rng.randrange(len(centres))]
            x = min(max(c[0] + rng.gauss(0, 0.02), lon0), lon0 + dlon)
            y = min(max(c[1] + rng.gauss(0, 0.02), lat0), lat0 + dlat)
            k = kinds[rng.randrange(len(kinds))]
            d = "%d-%02d-%02d" % (rng.randint(1995, 2024), rng.randint(1, 12), rng.randint(1, 28))
            code = rng.choice((1, 4, 8)) if k in ("accident", "report", "suspected") else ""
            f.write("%.7f,%.7f,%s,%s,%s,%s,%s\n" % (x, y, k, d, code, ordnance[i % 5], groups[i % 5]))
    os.rename(csv + ".part", csv)

box = [[lon0, lat0], [lon0 + dlon, lat0], [lon0 + dlon, lat0 + dlat], [lon0, lat0 + dlat], [lon0, lat0]]
with open(os.path.join(out, "aoi.geojson"), "w") as f:
    json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
               "geometry": {"type": "Polygon", "coordinates": [box]}}]}, f)

path = csv
gpkg = os.path.join(out, "points_%d.gpkg" % n)
if shutil.which("ogr2ogr"):
    if not os.path.exists(gpkg):
        subprocess.run(["ogr2ogr", "-f", "GPKG", gpkg + ".part.gpkg", csv, "-nln", "evidence",
                        "-a_srs", "EPSG:4326", "-oo", "X_POSSIBLE_NAMES=lon", "-oo",
                        "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=NO", "-oo",
                        "AUTODETECT_TYPE=YES", "-gt", "100000"], check=True)
        os.rename(gpkg + ".part.gpkg", gpkg)
    path = gpkg
print(path)
