#!/usr/bin/python3
"""route_inputs.py DIR [SIZE...] - the friction rasters for bench/route.bench.sh, made with the recipe of
/work/shared/bench/peers/make_inputs.py (smooth random field |N| * 4 + 1 + U(0,1), 10 m cells,
EPSG:32638, tiled uncompressed Float32): cost_10k.tif (10000 x 10000) and cost_4k.tif (its
top-left 4000 x 4000 window, when both are made in one call); and risk_10k.tif / risk_4k.tif, risk maps whose probabilities
p = 1 - exp(-(cost - 1) * 1e-5) give, under demine route's default weights (1 per metre,
1e6 per expected item, 10 m cells), a friction of exactly `cost` per metre: the same path,
at 10 times the per-cell cost. Also points_SIZE.txt: the WGS 84 centres of cells (5, 5) and
(n-6, n-6), the peers' endpoints. Deterministic (fixed seed). Run with Debian's python3."""
import os
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
DATA = sys.argv[1]
SIZES = [int(s) for s in (sys.argv[2:] or ["10000", "4000"])]
CELL, X0, Y0 = 10.0, 600000.0, 4470000.0
CO = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "BIGTIFF=IF_SAFER"]


def smooth_field(n, scale_cells, rng):
    m = n // scale_cells + 2
    coarse = rng.standard_normal((m, m)).astype(np.float32)
    out = np.empty((n, n), np.float32)
    xs = np.arange(n, dtype=np.float32) / scale_cells
    x0 = xs.astype(np.int64)
    fx = xs - x0
    for r0 in range(0, n, 1000):
        ys = np.arange(r0, min(r0 + 1000, n), dtype=np.float32) / scale_cells
        y0 = ys.astype(np.int64)
        fy = (ys - y0)[:, None]
        a = coarse[np.ix_(y0, x0)]
        b = coarse[np.ix_(y0, x0 + 1)]
        c = coarse[np.ix_(y0 + 1, x0)]
        d = coarse[np.ix_(y0 + 1, x0 + 1)]
        top = a + (b - a) * fx
        bot = c + (d - c) * fx
        out[r0:r0 + len(ys)] = top + (bot - top) * fy
    return out


os.makedirs(DATA, exist_ok=True)
srs = osr.SpatialReference()
srs.ImportFromEPSG(32638)
n = max(SIZES)
rng = np.random.default_rng(20240601)
f = smooth_field(n, 200, rng)
np.abs(f, out=f)
f *= 4.0
f += 1.0
f += rng.uniform(0, 1, (n, n)).astype(np.float32)
for s in SIZES:
    path = os.path.join(DATA, f"cost_{s // 1000}k.tif")
    ds = gdal.GetDriverByName("GTiff").Create(path, s, s, 1, gdal.GDT_Float32, CO)
    ds.SetGeoTransform((X0, CELL, 0, Y0, 0, -CELL))
    ds.SetProjection(srs.ExportToWkt())
    ds.GetRasterBand(1).WriteArray(f[:s, :s])
    ds = None
    print(path, flush=True)
    path = os.path.join(DATA, f"risk_{s // 1000}k.tif")
    ds = gdal.GetDriverByName("GTiff").Create(path, s, s, 1, gdal.GDT_Float32, CO)
    ds.SetGeoTransform((X0, CELL, 0, Y0, 0, -CELL))
    ds.SetProjection(srs.ExportToWkt())
    p = -np.expm1(-(f[:s, :s].astype(np.float64) - 1.0) * 1e-5)
    ds.GetRasterBand(1).WriteArray(p.astype(np.float32))
    ds = None
    del p
    print(path, flush=True)
    ll = osr.SpatialReference()
    ll.ImportFromEPSG(4326)
    ll.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(srs, ll)
    with open(os.path.join(DATA, f"points_{s // 1000}k.txt"), "w") as out:
        for c in (5, s - 6):
            lon, lat, _ = ct.TransformPoint(X0 + (c + 0.5) * CELL, Y0 - (c + 0.5) * CELL)
            out.write(f"{lon:.9f},{lat:.9f}\n")
