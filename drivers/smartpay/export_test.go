package smartpay

// NotifyQueriesJoined reports how many notifications joined the confirming
// query in flight for the payment id (for tests of the sharing).
func NotifyQueriesJoined(g *Gateway, id string) int { return g.notifyQueries.Joined(id) }
