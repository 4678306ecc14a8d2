"""The report's figures: the charts drawn from the tables, and the charts step that draws
them (in processes for a large group) and keeps them in the cache."""
