"""The AIMServiceTemplate / AIMClusterServiceTemplate controllers and their pure parts."""
