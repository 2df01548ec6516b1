"""Jurisdiction: whose runways a measure may touch.

A sector watches across a border (El Paso and Ciudad Juarez share one valley), so some
airports it sees belong to the other country. Their runways are that country's to
pause: a hazard there becomes ``notify_foreign_authority`` to its civil aviation
authority (``policy.jurisdiction``), never a pause and never a TFR. An airport's country
is its ISO 3166 code in airportsdata (via :func:`skywarden.refdata.airport`); the
sector's own country comes from the analyzer's configuration ("US" by default).
"""

from __future__ import annotations

from skywarden.airspace.policy import Jurisdiction


class Jurisdictions:
    """Which airports are foreign to a sector, and whom to tell about them."""

    def __init__(self, home_country: str, spec: Jurisdiction) -> None:
        self.home = home_country.upper()
        self.spec = spec
        self._country: dict[str, str] = {}

    def country_of(self, icao: str) -> str:
        """The airport's country; an identifier airportsdata does not know (a user zone's
        owner, an audience) is taken as the sector's own."""
        got = self._country.get(icao)
        if got is None:
            from skywarden import refdata

            try:
                got = refdata.airport(icao).country.upper()
            except (KeyError, ValueError, LookupError):
                got = self.home
            self._country[icao] = got
        return got

    def foreign(self, icao: str) -> str | None:
        """The country of ``icao`` when it is not the sector's, else None."""
        c = self.country_of(icao)
        return None if c == self.home else c

    def authority(self, country: str) -> str:
        return self.spec.authority(country)
