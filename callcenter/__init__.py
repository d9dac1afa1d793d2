"""callcenter: a contact-center engine on a real Asterisk PBX."""

__version__ = "0.1.0"
