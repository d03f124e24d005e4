"""Connections to outside services; domains never import these (they enqueue jobs)."""
