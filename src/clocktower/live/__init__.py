"""Live updates (S6.3): events pushed to connected clients over SSE after commit."""
