"""Pure rules, no store and no clock: synchronisation R1–R13 in SPEC order, the messages M1–M12 and their
report, source records → domain values, the school calendar, French field labels."""
