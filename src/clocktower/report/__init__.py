"""Reports (S5.1, S5.4): the summary with its groupings, and its exports."""
