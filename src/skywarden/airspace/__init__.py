"""skywarden.airspace (see DESIGN.md)."""
