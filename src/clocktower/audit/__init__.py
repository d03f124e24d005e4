"""The audit log: every write, recorded at flush; reads of secrets, recorded explicitly."""
