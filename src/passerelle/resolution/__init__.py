"""Entity resolution: names compared across scripts and spellings, scored and explained
links from objects to entities, a review queue, reversible merges."""
