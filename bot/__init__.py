"""A small example trading bot that the Bottie pipeline gates, smokes and deploys."""
