"""The IVR language (model, loader, validator, engine). Pure: returns commands, plays nothing."""
