"""Custom actions of the CRMO assistant (served by the rasa-sdk action server).

Each module holds one concern; all text comes from bot/knowledge."""
