"""GridCommand api."""
