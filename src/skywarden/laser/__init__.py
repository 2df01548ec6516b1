"""skywarden.laser (see DESIGN.md)."""
