"""The advisor workspace: the fund's advisors log in with a password and a second factor."""
