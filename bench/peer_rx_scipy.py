#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# peer_rx_scipy.py ORTHO.tif -- the same dual-window local RX as
# `demine detect --method rx` written the way a Python user would: whole
# raster in memory, scipy.ndimage box filters for the target window, guard
# and outer windows, global covariance of the differences, Mahalanobis
# distance, local maxima above the same threshold. Prints the candidate count.
import sys
import numpy as np
from osgeo import gdal
from scipy import ndimage

ds = gdal.Open(sys.argv[1])
px = ds.GetGeoTransform()[1]
ri = max(1, round(0.04 / px)); rg = 2 * ri; ro = max(round(0.16 / px), rg + 2)
B = ds.RasterCount
d = []
for b in range(B):
    a = ds.GetRasterBand(b + 1).ReadAsArray().astype(np.float32)
    inner = ndimage.uniform_filter(a, 2 * ri + 1, mode="nearest")
    sg = ndimage.uniform_filter(a, 2 * rg + 1, mode="nearest") * (2 * rg + 1) ** 2
    so = ndimage.uniform_filter(a, 2 * ro + 1, mode="nearest") * (2 * ro + 1) ** 2
    bg = (so - sg) / ((2 * ro + 1) ** 2 - (2 * rg + 1) ** 2)
    d.append(inner - bg)
    del a, inner, sg, so, bg
d = np.stack(d, axis=-1)
sample = d[::3, ::3].reshape(-1, B).astype(np.float64)
icov = np.linalg.inv(sample.T @ sample / len(sample))
s2 = np.einsum("...i,ij,...j->...", d, icov.astype(np.float32), d)
k = B; v = 2.0 / (9 * k)
thr = k * (4.0 * np.sqrt(v) + 1 - v) ** 3
mx = ndimage.maximum_filter(s2, size=2 * (ri + 1) + 1, mode="nearest")
n = int(np.count_nonzero((s2 >= thr) & (s2 == mx)))
print(f"{sys.argv[1]}: {n} candidates (scipy dual-window RX)")
