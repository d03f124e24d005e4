"""project.check_budget: placeholder, filled by its issue-3 work item before this commit lands."""
