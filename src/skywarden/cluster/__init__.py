"""Running skywarden across machines: edge spooling, forwarding, persisting (issue 17)."""
