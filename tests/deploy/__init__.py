"""Production-shaped tests: the product run as an operator runs it, in real processes, black-box."""
