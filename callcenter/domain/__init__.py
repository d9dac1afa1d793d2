"""Pure, synchronous rules of the contact center: no I/O, no clocks, no libraries."""
