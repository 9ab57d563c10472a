"""Pure helpers of the day-to-day operations: they shape data already read, never call AWS."""
