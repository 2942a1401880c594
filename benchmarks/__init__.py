"""`make bench`: speed and memory figures, each case measured in its own child process."""
