"""The footwork command."""
