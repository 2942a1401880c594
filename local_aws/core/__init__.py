"""What every service folder stands on: the running emulator (runtime), worker threads for
asynchronous work (background), injected failures (faults), state saved across restarts
(persistence) and moto's per-service apps (routing). Nothing here imports a service."""
