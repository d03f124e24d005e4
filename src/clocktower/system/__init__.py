"""System routes: info, health, readiness, teapot; housekeeping jobs."""
