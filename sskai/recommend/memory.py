"""Memory a model needs beyond its tensors, in each place it can run: the allowances the plans size with."""

# A CPU PyTorch runtime (interpreter, torch, the handler) resident before the model: measured
# ~350 MiB RSS for `import torch` plus the handler; round up for safety.
SERVERLESS_RUNTIME_MIB = 512
# A CUDA context and allocator slack cost about 1 GiB of device memory whatever the model.
GPU_RUNTIME_GIB = 1.0
MEMORY_HEADROOM = 1.25
# A CPU training process (interpreter, torch, a Ray worker) before the model's own state.
CPU_TRAINING_RUNTIME_GIB = 2.0
