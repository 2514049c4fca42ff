"""GridCommand live."""
