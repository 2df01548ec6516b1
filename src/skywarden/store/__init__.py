"""skywarden.store (see DESIGN.md)."""
