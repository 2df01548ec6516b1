"""skywarden.sim (see DESIGN.md)."""
