"""GridCommand core: domain, storage, services and the live spine (never imports dash)."""
