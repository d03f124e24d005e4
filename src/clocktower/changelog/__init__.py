"""The per-organisation change log behind delta sync (DESIGN §6): what changed, in commit order."""
