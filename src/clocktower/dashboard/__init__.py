"""Dashboards (S5.2, seed 002): value dashboard, week comparison, productivity, forecast."""
