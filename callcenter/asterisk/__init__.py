"""Edge: Asterisk over AMI (panoramisk) and ARI (aioari); configuration and sandbox."""
