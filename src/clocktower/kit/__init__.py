"""Domain-free helpers: time, money, tokens, pagination, crypto, repository base."""
