"""The Partnernetz Dash dashboard: pages, figures and thin callbacks."""
