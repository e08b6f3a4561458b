"""The published lists: ranked target workplaces and leader candidates, for organizers (shopfloor/publish)."""
