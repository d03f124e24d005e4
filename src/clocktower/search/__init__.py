"""Global search (S5.3) across projects, tasks, clients and entries."""
