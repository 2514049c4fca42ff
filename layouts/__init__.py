"""Dash layouts: one module per view, plus shared components and the UI strings."""
