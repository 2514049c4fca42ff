"""GridCommand services."""
