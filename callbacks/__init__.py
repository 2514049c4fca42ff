"""Dash callbacks: one module per view, same names as layouts/."""
