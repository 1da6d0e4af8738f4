"""The parties of a case: a contact in a role (pupil, guardian, applicant…)."""
