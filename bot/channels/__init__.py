"""Input channels of the assistant (registered by class path in credentials.yml)."""
