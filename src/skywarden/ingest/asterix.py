"""EUROCONTROL ASTERIX surveillance data, decoded with ``asterix-decoder``.

Categories read (editions as shipped by asterix-decoder):

* **015** (INCS target reports: the category of non-cooperative drone radars):
  I600 WGS84 position with I601 geometric height; else polar I625 range, I627 azimuth,
  I628 elevation from the sensor site; I626 Doppler (radial) speed and its precision; I145 time of
  applicability; I161 track/plot number; I300 classification.
* **048** (monoradar target reports): I040 slant range (NM) and azimuth from the radar
  site; I090 flight level; I220 aircraft address, I240 identification; I200 ground
  speed (kt) and heading; I140 time of day.
* **062** (SDPS system tracks): I105 WGS84 position; I136 measured flight level or
  I130 geometric altitude (ft); I185 Cartesian velocity (m/s); I380 address and
  identification; I070 time of track information.
* **021** (ADS-B reports): I131/I130 WGS84 position; I145 flight level or I140
  geometric height (ft); I080 target address; I170 identification; I160 ground vector;
  I073/I071 time.
* **205** (radio direction finder reports): I050 WGS84 position (with I110 uncertainty)
  or, failing that, I070 local bearing from the finder's site; I090 channel name.

Sites: polar and bearing reports need the sensor's position: ``IngestOptions.sites``
maps "SAC/SIC" to (lat, lon, alt_m); the receiver position is the fallback. Polar
ranges are projected along the geodesic from the site (slant range times
cos(elevation) when the elevation is known; CAT048 ranges are used as ground ranges,
adequate for the flight-level altitudes they come with).

Time: ASTERIX gives seconds since UTC midnight. The day is the one that puts the
report nearest the receive time, or ``IngestOptions.reference_time`` when replaying.

Decoder: ``asterix-decoder`` is an optional dependency (the ``asterix`` extra). Without
it, making an ASTERIX parser raises ``DecoderMissing`` naming the extra to install, a
start-up error, instead of quarantining every block as a decoder crash.

Framing: a stream is a sequence of data blocks (CAT, 16-bit LEN, records). A block of
a service category (002, 019, 023, 025, 034, 063, 065) is counted as absorbed, of
any other category not listed above ``unsupported``; a LEN below 3 or a block the decoder
cannot split into records is ``corrupt``; a stream ending inside a block ``truncated``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any

from skywarden.geo import KT_TO_MS, M_PER_FT, M_PER_NM, destination
from skywarden.ingest import asterix_worker
from skywarden.ingest.asterix_worker import DecoderMissing, Records, shared_decoder
from skywarden.ingest.base import Item, Parser
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.model import Bearing, Detection, Identity, Position, SensorKind

SUPPORTED = frozenset({15, 21, 48, 62, 205})
# Service/status categories (radar service, SDPS/SNS status...): valid, no targets.
SERVICE = frozenset({2, 19, 23, 25, 34, 63, 65})


def get(rec: dict[str, Any], item: str, *path: str) -> Any:
    """The value of ``item``/``path`` in a flattened record (asterix_worker.flatten), or None.

    Compound items have one level more: ``get(rec, "I600", "P84", "Lat")``.
    """
    return rec.get("/".join((item, *path)))


def day_time(seconds_of_day: float, around: float) -> float:
    """UTC epoch seconds of a time of day, on the day nearest ``around``."""
    midnight = math.floor(around / 86400.0) * 86400.0
    t = midnight + seconds_of_day
    if t - around > 43200.0:
        t -= 86400.0
    elif around - t > 43200.0:
        t += 86400.0
    return t


@dataclass
class AsterixParser(Parser):
    """Streaming ASTERIX parser: data blocks in, one Detection per usable record."""

    format = "asterix"
    binary = True

    def __post_init__(self) -> None:
        if not asterix_worker.decoder_available():
            raise DecoderMissing()
        self._decoder = shared_decoder()
        self._buf = b""
        self._base = 0
        self._t0_rx: float | None = None

    def _around(self, t_rx: float) -> float:
        ref = self.options.reference_time
        if ref is None:
            return t_rx
        if self._t0_rx is None:
            self._t0_rx = t_rx
        return ref + (t_rx - self._t0_rx)

    def feed(self, data: bytes, t_received: float | None = None) -> list[Item]:
        t_rx = self.options.clock() if t_received is None else t_received
        buf = self._buf + data if self._buf else bytes(data)
        # Stream order is kept: decoded blocks are placeholders until the batch returns.
        entries: list[Item | tuple[bytes, int]] = []
        pos, n = 0, len(buf)
        while pos + 3 <= n:
            cat, length = buf[pos], int.from_bytes(buf[pos + 1 : pos + 3], "big")
            if length < 3:
                entries.append(
                    self.reject(
                        Reason.CORRUPT,
                        f"block length {length}",
                        buf[pos : pos + 3],
                        offset=self._base + pos,
                        field_name="LEN",
                        t_received=t_rx,
                    )
                )
                pos += 3
                continue
            if pos + length > n:
                break
            blk = buf[pos : pos + length]
            offset = self._base + pos
            pos += length
            if cat in SERVICE:
                self.absorbed[f"cat{cat:03d}_service"] += 1
                continue
            if cat not in SUPPORTED:
                entries.append(
                    self.reject(
                        Reason.UNSUPPORTED,
                        f"category {cat:03d}",
                        blk,
                        offset=offset,
                        field_name="CAT",
                        t_received=t_rx,
                    )
                )
                continue
            entries.append((blk, offset))
        self._buf = buf[pos:]
        self._base += pos
        pending = [e for e in entries if isinstance(e, tuple)]
        results = iter(self._decoder.parse([blk for blk, _ in pending]))
        items: list[Item] = []
        for entry in entries:
            if isinstance(entry, tuple):
                items.extend(self._block(entry[0], entry[1], next(results), t_rx))
            else:
                items.append(entry)
        return items

    def _block(
        self, blk: bytes, offset: int, records: Records | str | None, t_rx: float
    ) -> list[Item]:
        if records is None:
            return [
                self.reject(
                    Reason.CORRUPT,
                    "asterix-decoder crashed on this block (isolated in its worker process)",
                    blk,
                    offset=offset,
                    t_received=t_rx,
                )
            ]
        if isinstance(records, str):
            return [
                self.reject(
                    Reason.CORRUPT, f"decoder: {records}", blk, offset=offset, t_received=t_rx
                )
            ]
        around = self._around(t_rx)
        out: list[Item] = []
        for rec in records:
            raw = bytes.fromhex(rec["hexdata"]) if rec.get("hexdata") else blk
            item = self.guarded(
                partial(self._record, rec, around), raw, offset=offset, t_received=t_rx
            )
            if item is not None:
                out.append(item)
        if not records:
            out.append(
                self.reject(
                    Reason.CORRUPT, "no record in block", blk, offset=offset, t_received=t_rx
                )
            )
        return out

    def _site(self, rec: dict[str, Any]) -> tuple[float, float, float]:
        key = f"{get(rec, 'I010', 'SAC')}/{get(rec, 'I010', 'SIC')}"
        site = self.options.sites.get(key)
        if site is not None:
            return site
        if self.options.receiver is not None:
            lat, lon = self.options.receiver
            return lat, lon, self.options.receiver_alt_m
        raise RejectedMessage(Reason.NO_POSITION, f"polar report from unknown site {key}", "I010")

    def _record(self, rec: dict[str, Any], around: float) -> Detection | None:
        cat = int(rec["category"])
        if not any(k.startswith("I") for k in rec):
            raise RejectedMessage(Reason.CORRUPT, "record without data items", "FSPEC")
        handler = {
            15: self._cat015,
            21: self._cat021,
            48: self._cat048,
            62: self._cat062,
            205: self._cat205,
        }[int(cat)]
        return handler(rec, around)

    def _time(self, rec: dict[str, Any], around: float, *items: tuple[str, str]) -> float:
        for item, leaf in items:
            tod = get(rec, item, leaf)
            if tod is not None:
                return day_time(float(tod), around)
        raise RejectedMessage(Reason.MISSING_FIELD, "no time of day", items[0][0])

    def _detection(self, rec: dict[str, Any], t: float, kind: SensorKind, **kw: Any) -> Detection:
        sac, sic = get(rec, "I010", "SAC"), get(rec, "I010", "SIC")
        attrs = kw.pop("attrs", {})
        attrs["asterix_category"] = rec["category"]
        if sac is not None:
            attrs["sac_sic"] = f"{sac}/{sic}"
        return Detection(t=t, sensor=self.sensor, kind=kind, attrs=attrs, **kw)

    # -------------------------------------------------------------- categories

    def _cat015(self, rec: dict[str, Any], around: float) -> Detection:
        t = self._time(rec, around, ("I145", "ToA"))
        attrs: dict[str, Any] = {}
        lat, lon = get(rec, "I600", "P84", "Lat"), get(rec, "I600", "P84", "Lon")
        gh = get(rec, "I601", "GH", "GH")
        rng = get(rec, "I625", "R", "RNG")
        az = get(rec, "I627", "Az", "Az")
        el = get(rec, "I628", "El", "El")
        if rng is not None:
            attrs["range_m"] = float(rng)
        if az is not None:
            attrs["azimuth_deg"] = float(az)
        if el is not None:
            attrs["elevation_deg"] = float(el)
        dv = get(rec, "I626", "DV", "DV")
        if dv is not None:
            attrs["radial_velocity_ms"] = float(dv)
        sd_dv = get(rec, "I626", "SD_DV", "SD_DV")
        if sd_dv is not None and float(sd_dv) > 0:
            attrs["radial_velocity_sigma_ms"] = float(sd_dv)
        trk = get(rec, "I161", "TrkN")
        if trk is not None:
            attrs["track_number"] = int(trk)
        if lat is not None and lon is not None:
            if gh is None:
                raise RejectedMessage(Reason.MISSING_FIELD, "WGS84 position without height", "I601")
            pos = Position(float(lat), float(lon), float(gh))
        elif rng is not None and az is not None:
            slat, slon, salt = self._site(rec)
            elev = math.radians(float(el)) if el is not None else 0.0
            ground = float(rng) * math.cos(elev)
            plat, plon = destination(slat, slon, float(az), ground)
            alt = salt + float(rng) * math.sin(elev)
            attrs["altitude_source"] = "elevation" if el is not None else "site_2d"
            pos = Position(float(plat), float(plon), alt)
        else:
            raise RejectedMessage(Reason.NO_POSITION, "neither I600 nor I625+I627", "I600")
        return self._detection(rec, t, SensorKind.RADAR, position=pos, attrs=attrs)

    def _cat048(self, rec: dict[str, Any], around: float) -> Detection:
        t = self._time(rec, around, ("I140", "ToD"))
        rho, theta = get(rec, "I040", "RHO"), get(rec, "I040", "THETA")
        if rho is None or theta is None:
            raise RejectedMessage(Reason.NO_POSITION, "no I040 polar position", "I040")
        slat, slon, salt = self._site(rec)
        plat, plon = destination(slat, slon, float(theta), float(rho) * M_PER_NM)
        attrs: dict[str, Any] = {"range_m": float(rho) * M_PER_NM, "azimuth_deg": float(theta)}
        fl = get(rec, "I090", "FL")
        if fl is not None:
            alt = float(fl) * 100.0 * M_PER_FT
            attrs["altitude_source"] = "barometric"
            attrs["flight_level"] = float(fl)
        else:
            alt = salt
            attrs["altitude_source"] = "site_2d"
        velocity = None
        gs, hdg = get(rec, "I200", "CGS"), get(rec, "I200", "CHdg")
        if gs is not None and hdg is not None:
            v, a = float(gs) * KT_TO_MS, math.radians(float(hdg))
            velocity = (v * math.sin(a), v * math.cos(a), 0.0)
        addr, tid = get(rec, "I220", "ACAddr"), get(rec, "I240", "TId")
        return self._detection(
            rec,
            t,
            SensorKind.RADAR,
            position=Position(float(plat), float(plon), alt),
            velocity=velocity,
            identity=_identity(addr, tid),
            attrs=attrs,
        )

    def _cat062(self, rec: dict[str, Any], around: float) -> Detection:
        t = self._time(rec, around, ("I070", "ToT"))
        lat, lon = get(rec, "I105", "Lat"), get(rec, "I105", "Lon")
        if lat is None or lon is None:
            raise RejectedMessage(Reason.NO_POSITION, "no I105 WGS84 position", "I105")
        attrs: dict[str, Any] = {}
        mfl, geo = get(rec, "I136", "MFL"), get(rec, "I130", "Alt")
        if geo is not None:
            alt, attrs["altitude_source"] = float(geo) * M_PER_FT, "geometric"
        elif mfl is not None:
            alt, attrs["altitude_source"] = float(mfl) * M_PER_FT, "barometric"
        else:
            raise RejectedMessage(Reason.MISSING_FIELD, "no I130/I136 altitude", "I136")
        vx, vy = get(rec, "I185", "Vx"), get(rec, "I185", "Vy")
        velocity = None if vx is None or vy is None else (float(vx), float(vy), 0.0)
        trk = get(rec, "I040", "TrkN")
        if trk is not None:
            attrs["track_number"] = int(trk)
        addr, tid = get(rec, "I380", "ADR", "ADR"), get(rec, "I380", "ID", "ID")
        return self._detection(
            rec,
            t,
            SensorKind.RADAR,
            position=Position(float(lat), float(lon), alt),
            velocity=velocity,
            identity=_identity(addr, tid),
            attrs=attrs,
        )

    def _cat021(self, rec: dict[str, Any], around: float) -> Detection:
        t = self._time(
            rec,
            around,
            ("I073", "time_reception_position"),
            ("I071", "time_of_applicability_position"),
        )
        lat = get(rec, "I131", "Lat") if "I131" in rec else get(rec, "I130", "Lat")
        lon = get(rec, "I131", "Lon") if "I131" in rec else get(rec, "I130", "Lon")
        if lat is None or lon is None:
            raise RejectedMessage(Reason.NO_POSITION, "no I130/I131 position", "I130")
        attrs: dict[str, Any] = {}
        fl, gh = get(rec, "I145", "FL"), get(rec, "I140", "geometric_height")
        if fl is not None:
            alt, attrs["altitude_source"] = float(fl) * 100.0 * M_PER_FT, "barometric"
        elif gh is not None:
            alt, attrs["altitude_source"] = float(gh) * M_PER_FT, "geometric"
        else:
            raise RejectedMessage(Reason.MISSING_FIELD, "no I145/I140 altitude", "I145")
        velocity = None
        gs, ta = get(rec, "I160", "GS"), get(rec, "I160", "TA")
        if gs is not None and ta is not None:
            v, a = float(gs) * M_PER_NM, math.radians(float(ta))  # NM/s -> m/s
            velocity = (v * math.sin(a), v * math.cos(a), 0.0)
        addr, tid = get(rec, "I080", "TAddr"), get(rec, "I170", "TId")
        return self._detection(
            rec,
            t,
            SensorKind.ADSB,
            position=Position(float(lat), float(lon), alt),
            velocity=velocity,
            identity=_identity(addr, tid),
            attrs=attrs,
        )

    def _cat205(self, rec: dict[str, Any], around: float) -> Detection:
        t = self._time(rec, around, ("I030", "TOD"))
        attrs: dict[str, Any] = {}
        channel = get(rec, "I090", "RCN")
        if channel:
            attrs["rf_channel"] = str(channel).strip()
        lat, lon = get(rec, "I050", "LAT"), get(rec, "I050", "LON")
        unc = get(rec, "I110", "Range")
        if lat is not None and lon is not None:
            _, _, salt = self._site(rec) if self._has_site(rec) else (0.0, 0.0, 0.0)
            cov = None
            if unc:
                s2 = float(unc) ** 2
                cov = ((s2, 0.0, 0.0), (0.0, s2, 0.0), (0.0, 0.0, 1e6))
            attrs["altitude_source"] = "none_rf_fix"
            return self._detection(
                rec,
                t,
                SensorKind.RF,
                position=Position(float(lat), float(lon), salt, cov),
                attrs=attrs,
            )
        theta = get(rec, "I070", "THETA")
        if theta is None:
            raise RejectedMessage(
                Reason.NO_POSITION, "neither I050 position nor I070 bearing", "I070"
            )
        slat, slon, salt = self._site(rec)
        sigma = self.options.bearing_sigma_deg
        return self._detection(
            rec,
            t,
            SensorKind.RF,
            bearing=Bearing(slat, slon, salt, float(theta) % 360.0, sigma),
            attrs=attrs,
        )

    def _has_site(self, rec: dict[str, Any]) -> bool:
        key = f"{get(rec, 'I010', 'SAC')}/{get(rec, 'I010', 'SIC')}"
        return key in self.options.sites or self.options.receiver is not None

    def close(self) -> list[Item]:
        if not self._buf:
            return []
        raw, self._buf = self._buf, b""
        rej = self.reject(
            Reason.TRUNCATED, "stream ended inside a data block", raw, offset=self._base
        )
        self._base += len(raw)
        return [rej]

    def reset_framing(self) -> list[Item]:
        return self.close()


def _identity(addr: Any, tid: Any) -> Identity | None:
    icao = str(addr).lower() if addr else None
    if icao is not None and (len(icao) != 6 or any(c not in "0123456789abcdef" for c in icao)):
        raise RejectedMessage(Reason.CORRUPT, f"aircraft address {addr!r}", "address")
    callsign = str(tid).strip() or None if tid else None
    if icao is None and callsign is None:
        return None
    return Identity(icao24=icao, callsign=callsign)
