"""Time bills (S4.2, seed 000): billable time per user, task and local day."""
