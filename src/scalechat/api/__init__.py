"""HTTP layer: one router per resource; validates, calls one service, shapes the response."""
