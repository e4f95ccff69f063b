"""The home_type_classifier: which kind of home is this (studio, family house, ...)."""
