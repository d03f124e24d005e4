"""A client's portal side: its projects (seed 000 pillars) and its customer users."""
