"""What other services may read of the customers service's data: named, versioned query modules."""
