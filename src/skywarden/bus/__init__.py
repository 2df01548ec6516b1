"""skywarden.bus (see DESIGN.md)."""
