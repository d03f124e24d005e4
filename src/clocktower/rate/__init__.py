"""Hourly rates (S4.1): which rate applies to a person's time, and per-person rates."""
