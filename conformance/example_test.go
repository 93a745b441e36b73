package conformance_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gopayments/payments/conformance"
)

func ExampleCanonicalJSON() {
	out, err := conformance.CanonicalJSON([]byte(`{ "currency": "EUR", "amount": 10.50 }`))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output: {"amount":10.50,"currency":"EUR"}
}

func ExampleRewriteHosts() {
	// A stand-in for a provider simulator on a loopback port.
	sim := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "simulator saw %s %s for host %s", r.Method, r.URL.Path, r.Host)
	}))
	defer sim.Close()

	// The driver keeps calling its documented host; the transport carries
	// the request to the simulator.
	client := &http.Client{Transport: conformance.RewriteHosts(map[string]string{"api.acme.example": sim.URL})}
	resp, err := client.Get("https://api.acme.example/v1/payments/pay_1")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: simulator saw GET /v1/payments/pay_1 for host api.acme.example
}
