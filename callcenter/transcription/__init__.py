"""Edge: offline transcription with vosk in a worker pool (arrives with the recording issue)."""
