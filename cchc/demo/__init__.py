"""Demo data: Tỉnh Gia Lai as it was in 2021, with one account per role."""
