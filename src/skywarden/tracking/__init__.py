"""skywarden.tracking (see DESIGN.md)."""
