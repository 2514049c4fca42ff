"""GridCommand store."""
