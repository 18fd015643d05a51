"""glintefy's sub-servers (one per review tool) as Python classes."""
