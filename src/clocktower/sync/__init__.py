"""Delta sync for desktop and mobile apps (S6.1 pull, S6.2 offline push)."""
