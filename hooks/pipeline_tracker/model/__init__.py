"""The tracker model: records linked both ways and the facts derived from them."""
