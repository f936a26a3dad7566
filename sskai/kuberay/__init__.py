"""KubeRay: a training's Ray cluster on Kubernetes, its worker groups the spot policy's pools."""
