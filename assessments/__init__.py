"""Question bank, quizzes, attempts, grading, evidence and certification (issues 4 and 5)."""
