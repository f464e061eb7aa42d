"""The facts: immutable, versioned pydantic events and their stored mapping."""
