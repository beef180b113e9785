"""Generated submissions for the project's own tests: the reference, the template, mistakes, variants."""
