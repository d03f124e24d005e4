"""Clients (seed 000 customers, seed 004 companies), contacts and leads."""
