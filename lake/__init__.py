"""The Delta lake: table specs, validation, exact merge semantics, quarantine, watermarks."""
