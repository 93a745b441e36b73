package smart2paytest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

// A direct card payment on the card host, then an alternative-method payment that the
// customer pays on the simulator's page, with the merchant receiving the notifications.
func Example() {
	var mu sync.Mutex
	var received []string
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n map[string]struct {
			ID     int64
			Status struct{ ID int }
		}
		_ = json.NewDecoder(r.Body).Decode(&n)
		for typ, v := range n {
			mu.Lock()
			received = append(received, fmt.Sprintf("notification: %s %d status %d", typ, v.ID, v.Status.ID))
			mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent) // GlobalPay wants 204
	}))
	defer merchant.Close()

	sim := smart2paytest.NewServer(smart2paytest.WithNotificationURL(merchant.URL))
	defer sim.Close()

	// printNotifications waits until every notification was answered, then prints them.
	printNotifications := func() {
		_ = sim.WaitIdle(context.Background())
		mu.Lock()
		defer mu.Unlock()
		for _, l := range received {
			fmt.Println(l)
		}
		received = nil
	}

	post := func(base, auth, body string) map[string]any {
		req, _ := http.NewRequest("POST", base+"/v1/payments", strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		res, err := sim.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		dec := json.NewDecoder(res.Body) // numbers stay json.Number: no float64 for money or IDs
		dec.UseNumber()
		var out map[string]map[string]any
		_ = dec.Decode(&out)
		fmt.Println("HTTP", res.StatusCode)
		return out["Payment"]
	}

	card := post(sim.CardBaseURL(), "Basic MTAxMDpnYWJp", `{"Payment":{"MerchantTransactionID":"order-1",
		"Amount":2000,"Currency":"EUR","Card":{"HolderName":"John Doe","Number":"4111111111111111",
		"ExpirationMonth":"02","ExpirationYear":"2099","SecurityCode":"312"}}}`)
	fmt.Println(card["ID"], card["Status"].(map[string]any)["Info"], card["Card"].(map[string]any)["Number"])
	printNotifications()

	apm := post(sim.BaseURL(), "Basic MzAyMDE6aEo1Um9iWXg5cjdGZk53Q3ZIWTlMWEhxcXIrRkV6cmM3YUp2UVFrNEdhejFtZzdSeXk=",
		`{"Payment":{"MerchantTransactionID":"order-2","Amount":980,"Currency":"EUR","MethodID":2,
		"ReturnURL":"http://shop.example/return"}}`)
	fmt.Println(apm["ID"], apm["Status"].(map[string]any)["Info"])

	back, err := sim.CompleteRedirect(fmt.Sprint(apm["ID"]), smart2paytest.OutcomeSuccess)
	if err != nil {
		panic(err)
	}
	fmt.Println("customer returns to", back)
	printNotifications()

	for _, op := range sim.Operations() {
		fmt.Println(op.Kind, op.Reference, op.Amount, op.Result)
	}
	// Output:
	// HTTP 201
	// 210001 Captured VISA-1111
	// notification: Payment 210001 status 11
	// HTTP 201
	// 2700001 Open
	// customer returns to http://shop.example/return?data=2&MerchantTransactionID=order-2
	// notification: Payment 2700001 status 2
	// sale order-1 2000 Captured
	// payment order-2 980 Open
	// complete order-2 980 Success
}
