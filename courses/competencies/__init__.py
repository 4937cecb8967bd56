"""The competency framework: versioned frameworks, areas, competencies and the proficiency scale."""
