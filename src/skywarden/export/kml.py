"""KML 2.2 exports (OGC 07-147r2) built with simplekml, for Google Earth and GIS tools.

Time is KML's own: a track is a ``gx:Track`` (a ``when`` per position), so the time
slider replays it; incidents and zones carry a ``TimeSpan`` (an incident from its opening
to its last change, a laser plan over its firing window). One shared style per class of
track and per kind of zone, so a viewer colours a drone, an airliner and a bird apart.
Altitudes are absolute (metres MSL).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import simplekml

from skywarden.export.data import ExportData, latest_recommendation
from skywarden.export.shapes import paths, plan_shapes

# aabbggrr, as KML writes colours
CLASS_COLOURS = {
    "drone": "ff0000ff",  # red
    "manned": "ffff7f00",  # blue
    "bird": "ff00aa00",  # green
    "unknown": "ffaaaaaa",  # grey
}
ZONE_COLOURS = {
    "border_buffer": "ff00a5ff",
    "airport_surface": "ffff0000",
    "approach_corridor": "ffffff00",
    "departure_corridor": "ffff00ff",
    "laser_hazard": "ff0000ff",
    "tfr": "ff0000aa",
}
SEVERITY_COLOURS = {1: "ff00ffff", 2: "ff00c0ff", 3: "ff0080ff", 4: "ff0000ff", 5: "ff0000aa"}


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _class_style(cls: str) -> simplekml.Style:
    st = simplekml.Style()
    colour = CLASS_COLOURS.get(cls, CLASS_COLOURS["unknown"])
    st.linestyle.color = colour
    st.linestyle.width = 2
    st.iconstyle.color = colour
    st.iconstyle.scale = 0.8
    return st


def _bytes(kml: simplekml.Kml) -> bytes:
    return str(kml.kml()).encode()


def tracks(data: ExportData) -> bytes:
    kml = simplekml.Kml(name="skywarden tracks")
    styles: dict[str, simplekml.Style] = {}
    for p in paths(data.tracks):
        if p.cls not in styles:
            styles[p.cls] = _class_style(p.cls)
        trk = kml.newgxtrack(name=p.callsign or p.track)
        trk.altitudemode = simplekml.AltitudeMode.absolute
        trk.newwhen([iso(t) for t in p.t])
        trk.newgxcoord(p.coords)
        trk.style = styles[p.cls]
        trk.description = f"track {p.track}: {p.cls}, {p.status}" + (
            f"; identities {', '.join(p.identities)}" if p.identities else ""
        )
        trk.extendeddata.newdata("track", p.track)
        trk.extendeddata.newdata("cls", p.cls)
    return _bytes(kml)


def incidents(data: ExportData) -> bytes:
    kml = simplekml.Kml(name="skywarden incidents")
    styles: dict[int, simplekml.Style] = {}
    for inc in data.incidents:
        if inc.get("lat") is None or inc.get("lon") is None:
            continue
        sev = int(inc.get("severity") or 1)
        if sev not in styles:
            st = simplekml.Style()
            st.iconstyle.color = SEVERITY_COLOURS.get(sev, SEVERITY_COLOURS[5])
            st.iconstyle.scale = 1.0 + 0.2 * sev
            styles[sev] = st
        pt = kml.newpoint(name=f"{inc['id']} (severity {sev})", coords=[(inc["lon"], inc["lat"])])
        pt.style = styles[sev]
        pt.timespan.begin = iso(float(inc["t_open"]))
        pt.timespan.end = iso(float(inc.get("t_updated") or inc["t_open"]))
        rec = latest_recommendation(data.recommendations, str(inc["id"]))
        text = f"{inc.get('summary', '')} [{inc.get('state')}]"
        if rec is not None:
            text += f"\nrecommendation: {rec.get('action')}: {'; '.join(rec.get('reasons') or ())}"
        pt.description = text
        pt.extendeddata.newdata("incident", str(inc["id"]))
        pt.extendeddata.newdata("state", str(inc.get("state")))
    return _bytes(kml)


def zones(data: ExportData) -> bytes:
    kml = simplekml.Kml(name="skywarden zones")
    styles: dict[str, simplekml.Style] = {}
    for z in data.zones:
        kind = str(z["kind"])
        if kind not in styles:
            st = simplekml.Style()
            colour = ZONE_COLOURS.get(kind, "ffffffff")
            st.linestyle.color = colour
            st.polystyle.color = "40" + colour[2:]  # same hue, 25 % opaque
            styles[kind] = st
        ring = [(lon, lat, float(z["ceiling_m"])) for lon, lat in z["polygon"]]
        pol = kml.newpolygon(name=str(z.get("name") or z["id"]), outerboundaryis=ring)
        pol.altitudemode = simplekml.AltitudeMode.absolute
        pol.extrude = 1  # walls down to the ground: the volume up to its ceiling
        pol.style = styles[kind]
        pol.description = (
            f"{kind}, {float(z['floor_m']):.0f}-{float(z['ceiling_m']):.0f} m MSL, "
            f"owner {z.get('owner', '')}"
        )
        pol.extendeddata.newdata("zone", str(z["id"]))
        pol.extendeddata.newdata("floor_m", str(z["floor_m"]))
    return _bytes(kml)


def laser_plan(data: ExportData) -> bytes:
    kml = simplekml.Kml(name="skywarden laser plans")
    st = simplekml.Style()
    st.linestyle.color = ZONE_COLOURS["laser_hazard"]
    st.polystyle.color = "400000ff"
    for entry in data.laser_plans:
        s = plan_shapes(entry)
        site = kml.newpoint(name=s["name"], coords=[s["site"]])
        site.altitudemode = simplekml.AltitudeMode.absolute
        site.description = f"laser {s['power_w']} W at {s['wavelength_nm']} nm"
        pol = kml.newpolygon(name=f"{s['name']}: hazard volume", outerboundaryis=s["ring"])
        pol.style = st
        pol.description = f"hazard ceiling {s['ceiling_msl_m']:.0f} m MSL"
        for f in (site, pol):
            if s["start"]:
                f.timespan.begin = str(s["start"])
            if s["end"]:
                f.timespan.end = str(s["end"])
    return _bytes(kml)


WRITERS: dict[str, Callable[[ExportData], bytes]] = {
    "tracks": tracks,
    "incidents": incidents,
    "zones": zones,
    "laser-plan": laser_plan,
}
