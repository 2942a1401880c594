"""What every service folder stands on: the running emulator (runtime), worker threads for
asynchronous work (background), injected failures (faults), state saved across restarts
(persistence), moto's per-service apps (routing) and scripts run in processes of their own
(script_process). Nothing here imports a service, and this file imports nothing: every job's
process imports the package (script_process.py)."""
