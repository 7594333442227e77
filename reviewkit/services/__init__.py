"""Use cases. The only layer that commits: each public function is one unit of work."""
