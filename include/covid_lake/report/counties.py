"""US county boundaries for the report's map, from the Census Bureau's 2016 cartographic
boundary shapefile that the plotly-geo package ships (never fetched at view time), simplified
so the page stays small: 3,233 counties in about 1.3 MB of GeoJSON."""

from __future__ import annotations

import functools
from pathlib import Path

SHAPEFILE = "cb_2016_us_county_500k.shp"
# Douglas-Peucker tolerance and coordinate grid, in degrees (about 2 km and 100 m): a county
# map of the whole country shows no finer detail.
TOLERANCE = 0.02
GRID = 0.001


def shapefile_path() -> Path:
    import _plotly_geo

    return Path(_plotly_geo.__file__).parent / "package_data" / SHAPEFILE


@functools.lru_cache(maxsize=1)
def geojson() -> dict:
    """FeatureCollection; each feature's properties: fips (5 digits) and name."""
    import shapefile
    import shapely
    from shapely.geometry import mapping, shape

    features = []
    with shapefile.Reader(str(shapefile_path())) as reader:
        for item in reader.iterShapeRecords():
            record = item.record.as_dict()
            geometry = shape(item.shape.__geo_interface__).simplify(TOLERANCE,
                                                                  preserve_topology=True)
            geometry = shapely.set_precision(geometry, GRID)
            features.append({"type": "Feature",
                             "properties": {"fips": record["GEOID"], "name": record["NAME"]},
                             "geometry": mapping(geometry)})
    return {"type": "FeatureCollection", "features": features}
