package smartpayments

// NotifyQueriesJoined reports how many callbacks joined the confirming
// /check in flight for the order (for tests of the sharing).
func NotifyQueriesJoined(g *Gateway, orderID string) int { return g.notifyQueries.Joined(orderID) }
