"""The advisors' side of sent assessments: the list they filter, and what each row shows."""
