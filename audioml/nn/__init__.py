"""Neural-network builders shared by every model in the project (Keras 3)."""
