"""Clocktower: time tracking, billing and client operations for agencies and MSPs."""

__version__ = "0.1.0"
