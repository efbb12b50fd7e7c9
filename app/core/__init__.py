"""The pure core: plain data in, plain data out, no Flask imports."""
