"""skywarden: counter-drone airspace safety (see DESIGN.md)."""

__version__ = "0.1.0"
