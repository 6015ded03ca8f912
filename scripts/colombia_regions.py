#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""colombia_regions.py -- cut the Colombian development events into one study
area per department, for checking that a risk model generalises beyond
eastern Antioquia (scripts/risk_regions.sh). A department's area is the land
within 10 km of any event whose nearest event lies in that department,
polygonised on a 1 km grid (EPSG:3116). Writes OUT/<DEPT>/aoi.geojson
(WGS 84) and OUT/<DEPT>/truth.geojson (that department's events).
Needs Debian's python3-gdal and python3-numpy / python3-scipy.
Usage: colombia_regions.py EVENTS.geojson OUT_DIR"""
import json, os, sys
import numpy as np
from osgeo import gdal, ogr, osr
from scipy import ndimage

ev_path, out = sys.argv[1], sys.argv[2]
feats = json.load(open(ev_path))['features']
src = osr.SpatialReference(); src.ImportFromEPSG(4326)
dst = osr.SpatialReference(); dst.ImportFromEPSG(3116)
for s in (src, dst):
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
fwd = osr.CoordinateTransformation(src, dst)
pts = [f for f in feats if f.get('geometry')]
xy = np.array(fwd.TransformPoints([tuple(f['geometry']['coordinates'][:2]) for f in pts]))[:, :2]
dep = np.array([(f['properties'].get('department') or '?') for f in pts])
X0, Y0, NX, NY, CELL = 300000.0, 0.0, 1500, 1900, 1000.0
ix = ((xy[:, 0] - X0) / CELL).astype(int); iy = ((xy[:, 1] - Y0) / CELL).astype(int)
ok = (ix >= 0) & (ix < NX) & (iy >= 0) & (iy < NY)
names = sorted(set(dep[ok]))
code = {n: i + 1 for i, n in enumerate(names)}
lab = np.zeros((NY, NX), np.int32)
lab[iy[ok], ix[ok]] = [code[d] for d in dep[ok]]
d, idx = ndimage.distance_transform_edt(lab == 0, return_indices=True)
region = lab[idx[0], idx[1]]
region[d > 10] = 0
region = region[::-1]  # north up
mem = gdal.GetDriverByName('MEM').Create('', NX, NY, 1, gdal.GDT_Int32)
mem.SetGeoTransform((X0, CELL, 0, Y0 + NY * CELL, 0, -CELL))
mem.SetProjection(dst.ExportToWkt())
mem.GetRasterBand(1).WriteArray(region)
mem.GetRasterBand(1).SetNoDataValue(0)
vds = ogr.GetDriverByName('Memory').CreateDataSource('')
lyr = vds.CreateLayer('r', dst, ogr.wkbPolygon)
lyr.CreateField(ogr.FieldDefn('r', ogr.OFTInteger))
gdal.Polygonize(mem.GetRasterBand(1), mem.GetRasterBand(1), lyr, 0)
back = osr.CoordinateTransformation(dst, src)
for n in names:
    safe = ''.join(c if c.isalnum() else '_' for c in n)
    polys = ogr.Geometry(ogr.wkbMultiPolygon)
    lyr.SetAttributeFilter('r = %d' % code[n])
    for f in lyr:
        g = f.GetGeometryRef().Clone()
        polys.AddGeometry(g)
    if polys.GetGeometryCount() == 0:
        continue
    polys = polys.UnionCascaded()
    polys.Transform(back)
    os.makedirs(os.path.join(out, safe), exist_ok=True)
    with open(os.path.join(out, safe, 'aoi.geojson'), 'w') as fh:
        json.dump({'type': 'FeatureCollection', 'features': [
            {'type': 'Feature', 'properties': {'department': n},
             'geometry': json.loads(polys.ExportToJson())}]}, fh)
    with open(os.path.join(out, safe, 'truth.geojson'), 'w') as fh:
        json.dump({'type': 'FeatureCollection',
                   'features': [f for f in pts if (f['properties'].get('department') or '?') == n]}, fh)
print(len(names), 'departments in', out)
