"""The async Kubernetes client of aim-engine (raw JSON over kubernetes-asyncio)."""
