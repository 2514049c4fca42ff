"""Intake adapters and the simulator."""
