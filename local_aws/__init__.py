"""local_aws: the offline AWS for this project (emulator and synthetic sample lake)."""
